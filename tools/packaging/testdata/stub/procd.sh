# Stand-in for /lib/functions/procd.sh: records every procd_* call, one per
# line, arguments separated by TABs, in $PROCD_LOG. procd_running answers
# from $STUB_RUNNING (1 = the instance is running).
#
# What procd then does with the recorded instance is modelled by
# procdOutcome in initscript_test.go, after procd service/instance.c:
# the jail (and with it `capabilities`, passed as `ujail -C`) applies only
# when /sbin/ujail exists; without it procd switches `user` itself with
# initgroups/setgid/setuid, leaving no capability; ujail starts the program
# with an environment of only container=ujail (procd jail/jail.c).

_procd_rec() {
	{
		printf '%s' "$1"
		shift
		for _a in "$@"; do
			printf '\t%s' "$_a"
		done
		printf '\n'
	} >>"$PROCD_LOG"
}

procd_open_service() { _procd_rec procd_open_service "$@"; }
procd_close_service() {
	# The real one runs service_triggers before sending the message.
	service_triggers
	_procd_rec procd_close_service "$@"
}
procd_open_instance() { _procd_rec procd_open_instance "$@"; }
procd_close_instance() { _procd_rec procd_close_instance "$@"; }
procd_set_param() { _procd_rec procd_set_param "$@"; }
procd_append_param() { _procd_rec procd_append_param "$@"; }
procd_add_jail() { _procd_rec procd_add_jail "$@"; }
procd_add_jail_mount() { _procd_rec procd_add_jail_mount "$@"; }
procd_add_jail_mount_rw() { _procd_rec procd_add_jail_mount_rw "$@"; }
procd_add_reload_trigger() { _procd_rec procd_add_reload_trigger "$@"; }
procd_add_interface_trigger() { _procd_rec procd_add_interface_trigger "$@"; }
procd_kill() { _procd_rec procd_kill "$@"; }
procd_send_signal() {
	# Like the real one, turn a signal name into this platform's number.
	_sig="$3"
	case "$_sig" in
	[A-Z]*) _sig="$(kill -l "$_sig")" || return 1 ;;
	esac
	_procd_rec procd_send_signal "$1" "$2" "$_sig"
}
procd_running() {
	_procd_rec procd_running "$@"
	[ "$STUB_RUNNING" = 1 ]
}
