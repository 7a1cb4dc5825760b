package io.stateguard.agent.replication;

/** {@code INFO replication} answers shaped as Redis 7.0 writes them. */
final class InfoTexts {

    static final String ID_A = "b066ff0b0d2b1e1f7ac2a4a8a0a1f0c6b0b5d1e2";
    static final String ID_B = "938cad1f5e6c2b0a7d4e8f9a0b1c2d3e4f5a6b7c";

    private InfoTexts() {
    }

    static String primary(String id, long offset) {
        return "# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
                + "slave0:ip=127.0.0.1,port=6380,state=online,offset=" + offset + ",lag=0\r\n"
                + "master_failover_state:no-failover\r\nmaster_replid:" + id + "\r\n"
                + "master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:" + offset
                + "\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\n";
    }

    static String replica(String id, long applied, boolean linkUp) {
        return "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:"
                + (linkUp ? "up" : "down") + "\r\nmaster_last_io_seconds_ago:0\r\nmaster_sync_in_progress:0\r\n"
                + "slave_read_repl_offset:" + (applied + 100) + "\r\nslave_repl_offset:" + applied
                + "\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n"
                + "master_failover_state:no-failover\r\nmaster_replid:" + id + "\r\nmaster_repl_offset:" + applied
                + "\r\n";
    }
}
