package io.stateguard.it.versions;

import io.stateguard.it.probe.LoadLettuceProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A Lettuce version the agent does not support gets one warning and no instrumentation. */
class UnsupportedLettuceTest {

    @Test
    void lettuce5IsLeftUnchangedWithOneWarning() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().lettuceVersion("5.3.7.RELEASE").withAgent("keys=gw:state:*")
                .run(LoadLettuceProbe.class.getName()).assertSuccess();
        assertThat(result.values("probe.").get("jar")).contains("5.3.7.RELEASE");
        assertThat(Arrays.stream(result.stderr().split("\\R")).filter(line -> line.contains("WARN")))
                .as(result.describe("must warn once"))
                .singleElement().asString()
                .contains("Lettuce from lettuce-core.jar is not a supported version")
                .contains("leaves it unchanged");
        assertThat(result.stderr()).doesNotContain("instrumented io.lettuce");
    }
}
