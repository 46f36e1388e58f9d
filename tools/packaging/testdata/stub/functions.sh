# Minimal stand-in for OpenWrt's /lib/functions.sh: just the UCI helpers an
# init script uses. config_load reads a real UCI file from $UCI_CONFIG_DIR by
# evaluating it with config/option/list defined, which is what the real
# config_load does with `uci export` output.

CONFIG_SECTIONS=
CONFIG_NUM_SECTIONS=0
CONFIG_SECTION=

package() { :; }

config() {
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	CONFIG_SECTION="${2:-cfg$CONFIG_NUM_SECTIONS}"
	CONFIG_SECTIONS="$CONFIG_SECTIONS $CONFIG_SECTION"
	eval "CONFIG_${CONFIG_SECTION}_TYPE=\$1"
}

option() {
	_name="$1"
	shift
	eval "CONFIG_${CONFIG_SECTION}_${_name}=\$*"
}

list() {
	_name="$1"
	shift
	eval "_old=\${CONFIG_${CONFIG_SECTION}_${_name}}"
	# shellcheck disable=SC2154 # set by the eval above
	eval "CONFIG_${CONFIG_SECTION}_${_name}=\"\${_old:+\$_old }\$*\""
}

# Like the real one (uci_load in openwrt package/base-files/files/lib/config/uci.sh),
# a load forgets the sections loaded before.
config_load() {
	CONFIG_SECTIONS=
	CONFIG_NUM_SECTIONS=0
	CONFIG_SECTION=
	[ -f "$UCI_CONFIG_DIR/$1" ] || return 1
	# shellcheck disable=SC1090
	. "$UCI_CONFIG_DIR/$1"
}

# config_foreach <function> [<type>]: calls function with each section's
# name (of that type), in file order, as config_foreach in openwrt
# package/base-files/files/lib/functions.sh does.
config_foreach() {
	_fn="$1"
	_type="$2"
	for _s in $CONFIG_SECTIONS; do
		_t=
		config_get _t "$_s" TYPE
		[ -n "$_type" ] && [ "$_t" != "$_type" ] && continue
		"$_fn" "$_s"
	done
}

# config_get <variable> <section> <option> [<default>]
config_get() {
	eval "$1=\${CONFIG_${2}_${3}:-\$4}"
}

# config_get_bool <variable> <section> <option> [<default>]
config_get_bool() {
	_v=
	config_get _v "$2" "$3" "$4"
	case "$_v" in
	1 | on | true | yes | enabled) _v=1 ;;
	0 | off | false | no | disabled) _v=0 ;;
	*) _v="$4" ;;
	esac
	eval "$1=\$_v"
}
