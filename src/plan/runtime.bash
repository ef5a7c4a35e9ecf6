# ---- runtime: the same in every plan ------------------------------------------------------
# Every piece of runbook text reaches this code as a single-quoted word and is only ever
# printed with printf '%s'; the one exception is a step's code, which runs with eval at the
# top level of the script (so `cd` and `export` carry over, as in a terminal). Placeholders
# in that code were replaced by "${NAME}" references, which bash never parses again.
if ((BASH_VERSINFO[0] < 4)); then
  printf 'runbook: this plan needs bash 4 or newer; this is bash %s\n' "$BASH_VERSION" >&2
  exit 2
fi

__rb_nums=() __rb_kinds=() __rb_risks=() __rb_flags=() __rb_locs=() __rb_sections=()
__rb_titles=() __rb_texts=() __rb_codes=() __rb_params=() __rb_notes=()
__rb_param_names=() __rb_param_required=() __rb_param_env=() __rb_param_help=()
__rb_mode=run __rb_yes=0 __rb_interactive=0 __rb_from='' __rb_only='' __rb_start=''
__rb_current='' __rb_go=0 __rb_ran=0 __rb_skipped=()

# __rb_step NUMBER KIND RISK FLAGS LOCATION SECTION TITLE TEXT CODE PARAMS NOTE
__rb_step() {
  __rb_nums+=("$1") __rb_kinds+=("$2") __rb_risks+=("$3") __rb_flags+=("$4")
  __rb_locs+=("$5") __rb_sections+=("$6") __rb_titles+=("$7") __rb_texts+=("$8")
  __rb_codes+=("$9") __rb_params+=("${10}") __rb_notes+=("${11}")
}

# __rb_param NAME REQUIRED(0/1) ENV(0/1) HELP
__rb_param() {
  __rb_param_names+=("$1") __rb_param_required+=("$2") __rb_param_env+=("$3")
  __rb_param_help+=("$4")
}

__rb_err() { printf 'runbook: %s\n' "$1" >&2; }
__rb_die() {
  __rb_err "$1"
  exit 2
}

# True when step INDEX has FLAG.
__rb_has() { [[ " ${__rb_flags[$1]} " == *" $2 "* ]]; }

# Runs a step's code as a job of its own (its own process group, stdin from /dev/null: it
# runs unattended) and stops the whole group once it has run for $__rb_timeout seconds.
__rb_run_limited() {
  local status=0 job watchdog started=$SECONDS
  set -m
  (eval "$1") </dev/null &
  job=$!
  (
    sleep "$__rb_timeout"
    kill -TERM -- "-$job" 2>/dev/null || exit 0
    sleep 5
    kill -KILL -- "-$job" 2>/dev/null || true
  ) &
  watchdog=$!
  set +m
  wait "$job" || status=$?
  kill -- "-$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  if ((status != 0 && SECONDS - started >= __rb_timeout)); then
    printf 'runbook: the step was stopped after %s s ([plan] timeout)\n' "$__rb_timeout" >&2
  fi
  return "$status"
}

__rb_usage() {
  printf 'Usage: bash %s [--list | --dry-run] [--yes] [--from N | --only N]\n' "$0"
  printf '       [--set NAME=VALUE]... [--interactive]\n\n'
  printf 'Runs the steps of the runbook "%s" (%s) in order.\n\n' "$__rb_title" "$__rb_source"
  cat <<'EOF'
Options:
  --list             print the numbered steps; run nothing
  --dry-run          print what would run, with the params filled in; run nothing
  --yes              ask nothing: every destructive step and every check is taken as
                     confirmed (needed to run such a plan without a terminal)
  --from N           start at step N (to resume after a failure)
  --only N           run step N only
  --set NAME=VALUE   give a param; params can also come from the environment
  --interactive      also run interactive and never-ending commands (shell sessions,
                     `logs -f`, `watch`); without it they are shown and skipped
  -h, --help         print this help

Steps that only change the directory or variables (cd, export) and come before the
start of --from or --only are replayed, so later steps run where the runbook meant.
Exit status: 0 done, 1 stopped (a step failed, or you answered no), 2 refused to start.
EOF
  if ((${#__rb_param_names[@]})); then
    printf '\nParams:\n'
    local __rb_k
    for __rb_k in "${!__rb_param_names[@]}"; do
      if ((__rb_param_required[__rb_k])); then
        printf '  %s (required): %s\n' "${__rb_param_names[__rb_k]}" "${__rb_param_help[__rb_k]}"
      else
        printf '  %s (optional): %s\n' "${__rb_param_names[__rb_k]}" "${__rb_param_help[__rb_k]}"
      fi
    done
  fi
}

__rb_is_param() {
  local __rb_p
  for __rb_p in ${__rb_param_names[@]+"${__rb_param_names[@]}"}; do
    if [[ $__rb_p == "$1" ]]; then return 0; fi
  done
  return 1
}

__rb_is_env_param() {
  local __rb_k
  for __rb_k in "${!__rb_param_names[@]}"; do
    if [[ ${__rb_param_names[__rb_k]} == "$1" ]]; then
      ((__rb_param_env[__rb_k])) && return 0
      return 1
    fi
  done
  return 1
}

__rb_step_exists() {
  local __rb_n
  for __rb_n in ${__rb_nums[@]+"${__rb_nums[@]}"}; do
    if [[ $__rb_n == "$1" ]]; then return 0; fi
  done
  return 1
}

__rb_option() { # NAME VALUE
  case $1 in
  --from | --only)
    if ! [[ $2 =~ ^[0-9]{1,9}$ ]]; then
      __rb_die "$1 takes a step number, not '$2' (--list shows the numbers)"
    fi
    if [[ $1 == --from ]]; then __rb_from=$((10#$2)); else __rb_only=$((10#$2)); fi
    ;;
  --set)
    if [[ $2 != *=* ]]; then __rb_die "--set takes NAME=VALUE, not '$2'"; fi
    local __rb_name=${2%%=*}
    if ! __rb_is_param "$__rb_name"; then
      if ((${#__rb_param_names[@]})); then
        __rb_die "--set $__rb_name: this plan has no such param (it has: ${__rb_param_names[*]})"
      fi
      __rb_die "--set $__rb_name: this plan has no params"
    fi
    printf -v "$__rb_name" '%s' "${2#*=}"
    export "${__rb_name?}"
    ;;
  esac
}

__rb_parse_args() {
  while (($#)); do
    case $1 in
    --list) __rb_mode=list ;;
    --dry-run) __rb_mode=dry ;;
    --yes | -y) __rb_yes=1 ;;
    --interactive) __rb_interactive=1 ;;
    --from | --only | --set)
      if (($# < 2)); then __rb_die "$1 needs a value (see --help)"; fi
      __rb_option "$1" "$2"
      shift
      ;;
    --from=* | --only=* | --set=*) __rb_option "${1%%=*}" "${1#*=}" ;;
    -h | --help)
      __rb_usage
      exit 0
      ;;
    *) __rb_die "unknown argument '$1' (see --help)" ;;
    esac
    shift
  done
  if [[ -n $__rb_from && -n $__rb_only ]]; then
    __rb_die "give --from or --only, not both"
  fi
  __rb_start=${__rb_only:-$__rb_from}
  if [[ -n $__rb_only ]] && ! __rb_step_exists "$__rb_only"; then
    __rb_die "there is no step $__rb_only in this plan (--list shows the steps)"
  fi
  if [[ -n $__rb_from ]]; then
    local __rb_n __rb_found=0
    for __rb_n in ${__rb_nums[@]+"${__rb_nums[@]}"}; do
      if ((__rb_n >= __rb_from)); then __rb_found=1; fi
    done
    if ((!__rb_found)); then
      __rb_die "there is no step $__rb_from or later in this plan (--list shows the steps)"
    fi
  fi
}

# True when step INDEX is in the part of the plan asked for (--from, --only).
__rb_selected() {
  if [[ -n $__rb_only ]]; then
    [[ ${__rb_nums[$1]} == "$__rb_only" ]]
    return
  fi
  [[ -z $__rb_from ]] || ((__rb_nums[$1] >= __rb_from))
}

# True when step INDEX is a command this run may execute.
__rb_runnable() {
  if [[ ${__rb_kinds[$1]} != command ]] || __rb_has "$1" by-hand; then return 1; fi
  if ((!__rb_interactive)) && { __rb_has "$1" interactive || __rb_has "$1" never-ending; }; then
    return 1
  fi
  return 0
}

# True when step INDEX is a skipped cd/export before the start, which is replayed.
__rb_replayed() {
  [[ -n $__rb_start ]] && ((__rb_nums[$1] < __rb_start)) && __rb_has "$1" context &&
    __rb_runnable "$1"
}

# True when there is a terminal to ask on.
__rb_tty() { [[ -t 0 ]] && { : </dev/tty; } 2>/dev/null; }

# Asks QUESTION on the terminal; true for yes.
__rb_ask() {
  local __rb_answer=''
  printf '%s [y/N] ' "$1" >/dev/tty
  IFS= read -r __rb_answer </dev/tty || __rb_answer=''
  case $__rb_answer in
  [yY] | [yY][eE][sS]) return 0 ;;
  *) return 1 ;;
  esac
}

__rb_list() {
  printf 'Steps of "%s" (%s):\n' "$__rb_title" "$__rb_source"
  local __rb_k __rb_tags
  for __rb_k in "${!__rb_nums[@]}"; do
    __rb_tags=''
    if [[ ${__rb_kinds[__rb_k]} == command ]]; then __rb_tags=" [${__rb_risks[__rb_k]}]"; fi
    if __rb_has "$__rb_k" confirm; then __rb_tags+=" [asks first]"; fi
    if __rb_has "$__rb_k" interactive; then __rb_tags+=" [interactive: skipped unless --interactive]"; fi
    if __rb_has "$__rb_k" never-ending; then __rb_tags+=" [never ends: skipped unless --interactive]"; fi
    if __rb_has "$__rb_k" by-hand; then __rb_tags+=" [run by hand]"; fi
    if __rb_has "$__rb_k" context; then __rb_tags+=" [replayed by --from/--only after it]"; fi
    printf '%4s  %-15s  %s  (%s)%s\n' "${__rb_nums[__rb_k]}" "${__rb_kinds[__rb_k]}" \
      "${__rb_titles[__rb_k]}" "${__rb_locs[__rb_k]}" "$__rb_tags"
  done
}

# Refuses to start when a param is missing or a needed confirmation cannot be asked for.
__rb_preflight() {
  local __rb_k __rb_p __rb_missing=0 __rb_names=()
  for __rb_k in "${!__rb_nums[@]}"; do
    if { __rb_selected "$__rb_k" || __rb_replayed "$__rb_k"; } && __rb_runnable "$__rb_k"; then
      read -r -a __rb_names <<<"${__rb_params[__rb_k]}"
      for __rb_p in ${__rb_names[@]+"${__rb_names[@]}"}; do
        if [[ -z ${!__rb_p-} ]]; then
          __rb_err "missing param $__rb_p: step ${__rb_nums[__rb_k]} (${__rb_locs[__rb_k]}) needs it; give it with --set $__rb_p=VALUE or as $__rb_p in the environment"
          __rb_missing=1
        fi
      done
    fi
  done
  if ((__rb_missing)); then
    if [[ $__rb_mode == dry ]]; then
      __rb_err "dry run: a real run would refuse to start until the params above are given"
    else
      __rb_die "nothing was run"
    fi
  fi
  if [[ $__rb_mode == run ]] && ((!__rb_yes)) && ! __rb_tty; then
    for __rb_k in "${!__rb_nums[@]}"; do
      if ! __rb_selected "$__rb_k" || ! __rb_has "$__rb_k" confirm; then continue; fi
      if [[ ${__rb_kinds[__rb_k]} == check ]]; then
        __rb_die "step ${__rb_nums[__rb_k]} (${__rb_locs[__rb_k]}) is a check to confirm, but there is no terminal to ask on; nothing was run. Run the plan from a terminal, or pass --yes to take every check and destructive step as confirmed."
      fi
      if __rb_runnable "$__rb_k"; then
        __rb_die "step ${__rb_nums[__rb_k]} (${__rb_locs[__rb_k]}) is ${__rb_risks[__rb_k]} and needs a yes, but there is no terminal to ask on; nothing was run. Run the plan from a terminal, or pass --yes to take every check and destructive step as confirmed."
      fi
    done
  fi
}

__rb_announce() { # INDEX [LABEL]
  printf '\n==> Step %s%s: %s\n' "${__rb_nums[$1]}" "${2-}" "${__rb_titles[$1]}"
  if [[ -n ${__rb_sections[$1]} ]]; then
    printf '    %s · %s\n' "${__rb_locs[$1]}" "${__rb_sections[$1]}"
  else
    printf '    %s\n' "${__rb_locs[$1]}"
  fi
  printf '%s\n' "${__rb_texts[$1]}"
}

__rb_show_params() {
  local __rb_p __rb_names=()
  read -r -a __rb_names <<<"${__rb_params[$1]}"
  for __rb_p in ${__rb_names[@]+"${__rb_names[@]}"}; do
    if [[ -z ${!__rb_p-} ]]; then
      printf '    with %s: NOT SET\n' "$__rb_p"
    elif __rb_is_env_param "$__rb_p"; then
      printf '    with %s: set (not shown)\n' "$__rb_p"
    else
      printf '    with %s=%q\n' "$__rb_p" "${!__rb_p}"
    fi
  done
}

__rb_stop() { # INDEX REASON
  printf '\nrunbook: stopped before step %s (%s): %s. Resume with: bash %q --from %s\n' \
    "${__rb_nums[$1]}" "${__rb_locs[$1]}" "$2" "$0" "${__rb_nums[$1]}" >&2
  exit 1
}

# Shows step INDEX and decides whether its code runs now (sets __rb_go).
__rb_prepare() {
  __rb_go=0
  if ! __rb_selected "$1"; then
    if __rb_replayed "$1"; then
      __rb_announce "$1" ' (replayed)'
      printf '    replayed: later steps rely on the directory or variables it sets\n'
      if [[ $__rb_mode == run ]]; then __rb_go=1; fi
    fi
    return 0
  fi
  __rb_announce "$1"
  case ${__rb_kinds[$1]} in
  command)
    if __rb_has "$1" by-hand; then
      printf '    SKIPPED: %s. Run it by hand if you need it.\n' "${__rb_notes[$1]}"
      __rb_skipped+=("${__rb_nums[$1]}")
    elif ! __rb_runnable "$1"; then
      printf '    SKIPPED: it needs you at a terminal or never ends by itself; run it in another terminal, or pass --interactive\n'
      __rb_skipped+=("${__rb_nums[$1]}")
    else
      __rb_show_params "$1"
      if [[ $__rb_mode == dry ]]; then
        if __rb_has "$1" confirm; then
          printf '    would ask first: %s (%s)\n' "${__rb_risks[$1]}" "${__rb_notes[$1]}"
        fi
        printf '    would run\n'
      else
        if __rb_has "$1" confirm; then
          if ((__rb_yes)); then
            printf '    %s (%s): confirmed by --yes\n' "${__rb_risks[$1]}" "${__rb_notes[$1]}"
          elif ! __rb_ask "    This step is ${__rb_risks[$1]} (${__rb_notes[$1]}). Run it?"; then
            __rb_stop "$1" "you answered no"
          fi
        fi
        if __rb_has "$1" background; then
          printf '    it runs in the background; the plan stops it when the plan ends\n'
        elif __rb_has "$1" never-ending; then
          printf '    it never ends by itself: press Ctrl-C to stop it and go on\n'
        fi
        __rb_go=1
      fi
    fi
    ;;
  check)
    if [[ $__rb_mode == dry ]]; then
      printf '    would ask: done?\n'
    elif ((__rb_yes)); then
      printf '    confirmed by --yes\n'
    elif ! __rb_ask '    Done?'; then
      __rb_stop "$1" "the check is not done"
    fi
    ;;
  esac
  return 0
}

__rb_stop_jobs() {
  local __rb_jobs __rb_pids=()
  __rb_jobs=$(jobs -p)
  if [[ -n $__rb_jobs ]]; then
    mapfile -t __rb_pids <<<"$__rb_jobs"
    printf 'runbook: stopping %s background command(s) this plan started\n' "${#__rb_pids[@]}" >&2
    kill "${__rb_pids[@]}" 2>/dev/null || true
    # Up to 2 s to end on SIGTERM, then SIGKILL; then reap them, so nothing the plan started
    # is left running (or left as a zombie) once it has ended.
    local __rb_i
    for ((__rb_i = 0; __rb_i < 20; __rb_i++)); do
      [[ -z $(jobs -rp) ]] && break
      sleep 0.1
    done
    kill -KILL "${__rb_pids[@]}" 2>/dev/null || true
    wait "${__rb_pids[@]}" 2>/dev/null || true
  fi
}

__rb_on_exit() {
  local __rb_status=$?
  if [[ -n $__rb_current ]]; then
    if ((__rb_status != 0)); then
      printf '\nrunbook: step %s failed (exit status %s): %s\n' "${__rb_nums[__rb_current]}" \
        "$__rb_status" "${__rb_titles[__rb_current]}" >&2
      printf 'runbook:   source: %s\n' "${__rb_locs[__rb_current]}" >&2
      printf 'runbook:   fix the cause, then resume with: bash %q --from %s\n' "$0" \
        "${__rb_nums[__rb_current]}" >&2
    else
      printf '\nrunbook: step %s (%s) ended the script; the steps after it did not run\n' \
        "${__rb_nums[__rb_current]}" "${__rb_locs[__rb_current]}" >&2
    fi
  fi
  __rb_stop_jobs
}

__rb_finish() {
  if [[ $__rb_mode == dry ]]; then
    printf '\nDry run: nothing was run.\n'
  else
    printf '\nDone: %s command(s) run.\n' "$__rb_ran"
  fi
  if ((${#__rb_skipped[@]})); then
    printf 'Skipped, to do by hand if needed: step(s) %s\n' "${__rb_skipped[*]}"
  fi
}
