package io.stateguard.harness;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTest {

    @Test
    void neverHandsOutAPortTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
            assertThat(port).isBetween(1024, 65_535);
        }
    }

    @Test
    void clusterPortsReserveTheirBusPort() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.nextClusterPort();
            assertThat(port).isLessThan(55_535);
            assertThat(FreePorts.isFree(port + FreePorts.CLUSTER_BUS_OFFSET)).isTrue();
            assertThat(seen.add(port)).isTrue();
            assertThat(seen.add(port + FreePorts.CLUSTER_BUS_OFFSET)).as("bus port of %d already handed out", port).isTrue();
        }
        for (int i = 0; i < 200; i++) {
            assertThat(seen).doesNotContain(FreePorts.next());
        }
    }
}
