package io.stateguard.agent.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WeakIdentityMapTest {

    @Test
    void keysAreComparedByIdentity() {
        WeakIdentityMap<String> map = new WeakIdentityMap<>();
        String a = new String("key");
        String b = new String("key");
        map.put(a, "A");
        assertThat(map.remove(b)).isNull();
        assertThat(map.remove(a)).isEqualTo("A");
        assertThat(map.remove(a)).isNull();
        assertThat(map.isEmpty()).isTrue();
    }

    @Test
    void entriesOfCollectedKeysDisappear() throws InterruptedException {
        WeakIdentityMap<String> map = new WeakIdentityMap<>();
        for (int i = 0; i < 1000; i++) {
            map.put(new Object(), "leaked " + i);
        }
        for (int attempt = 0; attempt < 50 && map.size() > 0; attempt++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(map.size()).isZero();
    }
}
