# SPDX-License-Identifier: GPL-2.0
# Two handoffd agents on the lab's hosts, each with a scripted Xen (the fake
# backend of agent/xen_fake.c, driven through its FIFO): sourced by the
# kernel tests and by the lab after lib.sh. AGENT_DIR holds the agents'
# configs, sockets, FIFOs, logs and state records.
HANDOFFD=${HANDOFFD:-$BUILD/agent/handoffd}
AGENTS=()

stop_agents() {
	local p
	for p in "${AGENTS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	AGENTS=()
}

# agent NS ADDR PEER: writes NS.conf, starts handoffd, waits for its socket.
agent() {
	local ns=$1
	[[ -e $AGENT_DIR/psk ]] || make_key "$AGENT_DIR/psk"
	cat >"$AGENT_DIR/$ns.conf" <<-EOF
		# test agent for $ns
		listen = $2:6658
		peer = $3
		key-file = $AGENT_DIR/psk
		control-socket = $AGENT_DIR/$ns.sock
		log-level = debug
		arm-point = request
	EOF
	rm -f "$AGENT_DIR/$ns.sock"	# a killed agent leaves its socket behind
	ip netns exec "$ns" "$HANDOFFD" -c "$AGENT_DIR/$ns.conf" --xen "fake:$AGENT_DIR/$ns.ctl" \
		--state-dir "$AGENT_DIR/$ns.state" 2>>"$AGENT_DIR/$ns.log" &
	AGENTS+=($!)
	eval "PID_$ns=$!"
	wait_for 100 test -S "$AGENT_DIR/$ns.sock" ||
		{ cat "$AGENT_DIR/$ns.log"; fail "handoffd in $ns did not start"; }
}

# The lab's two agents (hs the source, hd the destination), fresh.
start_agents() {
	stop_agents
	rm -rf "$AGENT_DIR"/h?.*
	agent hs 10.99.0.1 10.99.0.2
	agent hd 10.99.0.2 10.99.0.1
}

# xen NS LINE...: commands for that host's scripted Xen.
xen() {
	local ns=$1 l
	shift
	for l in "$@"; do
		timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' _ "$l" "$AGENT_DIR/$ns.ctl" ||
			fail "fake Xen of $ns did not take: $l"
	done
}

hctl() {	# hctl NS ARGS...: handoffctl against that agent
	local ns=$1
	shift
	ip netns exec "$ns" "$HANDOFFCTL" -S "$AGENT_DIR/$ns.sock" "$@"
}

nsessions() {
	nsctl "$1" -j session show | jget 'len(d)'
}

nmigrations() {	# NS: the migrations its agent follows
	hctl "$1" -j status | jget 'len(d["migrations"])'
}

state_of() {	# NS ROLE: the state of the one session of that role
	nsctl "$1" -j session show | jget "[s['state'] for s in d if s['role'] == '$2'][0]"
}

# The agents' logs, for a failure.
agent_logs() {
	local f
	for f in "$AGENT_DIR"/h?.log; do
		[[ -e $f ]] && { echo "  --- $f"; tail -40 "$f"; }
	done
	return 0
}
