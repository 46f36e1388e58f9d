# Stand-in for /etc/rc.common with USE_PROCD=1: rc.sh INITSCRIPT ACTION.
# Paths the init script hard-codes are redirected through T_* variables.
# shellcheck disable=SC1091,SC2034,SC2153 # sourced files; variables used by the init script
initscript="$1"
action="$2"
. "$STUB_DIR/functions.sh"
. "$STUB_DIR/procd.sh"
# rc.common (openwrt/openwrt package/base-files/files/etc/rc.common):
# extra_command adds a command the script defines to the ones rc.common
# dispatches to; an action not in the list prints the help instead.
EXTRA_COMMANDS=
extra_command() { EXTRA_COMMANDS="$EXTRA_COMMANDS $1"; }
# shellcheck disable=SC1090
. "$initscript"

PROG="$T_PROG"
CONFIG="$T_CONFIG"
RUN_DIR="$T_RUN_DIR"
RUN_CONFIG="$T_RUN_DIR/eddns"
DEFAULT_STATE_DIR="$T_DEFAULT_STATE_DIR"
STATUS_COPY_DIR="$T_STATUS_COPY_DIR"
EDDNS_USER="$T_USER"
EDDNS_GROUP="$T_GROUP"
UJAIL="$T_UJAIL"
UBUS="$T_UBUS"
LOGGER="$T_LOGGER"

start() {
	procd_open_service "$NAME" "$initscript"
	start_service
	_rc=$?
	procd_close_service
	return $_rc
}

stop() {
	_procd_rec stop
	procd_kill "$NAME"
}

case "$action" in
start) start ;;
reload) reload_service ;;
triggers) service_triggers ;;
*)
	case " $EXTRA_COMMANDS " in
	*" $action "*) "$action" ;;
	*) echo "rc.sh: unknown action $action" >&2; exit 2 ;;
	esac
	;;
esac
