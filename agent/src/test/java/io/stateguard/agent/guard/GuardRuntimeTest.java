package io.stateguard.agent.guard;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.versions.VersionFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The installed guard and the commands it follows, without a client: commands are plain objects. */
class GuardRuntimeTest {

    /** Rule 0 checked on replicas, rule 1 served by the primary. */
    private final List<Rule> rules = ConfigLoader.load("keys=c:*;version=json:/version;routing=replica-checked"
            + ";rule.p.keys=p:*;rule.p.version=json:/version;rule.p.routing=primary", new HashMap<>(),
            new Properties()).rules();

    private final RoutingPolicy policy = RoutingPolicy.of(rules);

    private final VersionGuard versions = new VersionGuard(rules, 100, KeyPrivacy.FULL);

    @BeforeEach
    void install() {
        PrimaryRouting.install(policy);
        GuardRuntime.install(versions, policy.matcher());
    }

    @AfterEach
    void uninstall() {
        GuardRuntime.uninstall();
        PrimaryRouting.uninstall();
        GuardRuntime.endReread();
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private TrackedCommand get(String key, int rule) {
        return GuardRuntime.current().classifier().singleKeyRead("GET", "connection", 0, rule, b(key));
    }

    @Test
    void installedUntilUninstalled() {
        GuardRuntime runtime = GuardRuntime.current();
        assertThat(runtime).isNotNull();
        assertThat(runtime.versionGuard()).isSameAs(versions);
        assertThat(runtime.classifier()).isNotNull();
        assertThat(runtime.policy()).isNotNull();
        GuardRuntime.uninstall();
        assertThat(GuardRuntime.current()).isNull();
    }

    @Test
    void aRememberedCommandIsTakenOnceAndCountsAsACheckedReadOfItsReplicaCheckedRule() {
        GuardRuntime runtime = GuardRuntime.current();
        Object command = new Object();
        Object primaryCommand = new Object();
        Object write = new Object();
        int pending = GuardRuntime.pendingCount();
        runtime.remember(command, get("c:1", 0));
        runtime.remember(primaryCommand, get("p:1", 1));
        runtime.remember(write, runtime.classifier().classify(CommandKind.SET, "SET", null, 0,
                new EncodedArguments().add(true, b("c:2")).add(false, b("{\"version\":1}"))));
        assertThat(GuardRuntime.nothingPending()).isFalse();
        assertThat(GuardRuntime.pendingCount()).isEqualTo(pending + 3);
        assertThat(PrimaryRouting.stats().checked(0)).as("the read of the replica-checked rule, not the write")
                .isEqualTo(1);
        assertThat(PrimaryRouting.stats().checked(1)).as("a primary rule's reads are routed, not checked").isZero();

        TrackedCommand taken = GuardRuntime.take(command);
        assertThat(taken.kind()).isEqualTo(CommandKind.GET);
        assertThat(taken.operation()).isEqualTo("GET");
        assertThat(taken.connection()).isEqualTo("connection");
        assertThat(taken.rule(0)).isZero();
        assertThat(GuardRuntime.take(command)).as("taken once").isNull();
        assertThat(GuardRuntime.take(primaryCommand).rule(0)).isEqualTo(1);
        assertThat(GuardRuntime.take(write).kind()).isEqualTo(CommandKind.SET);
        assertThat(GuardRuntime.pendingCount()).isEqualTo(pending);
    }

    @Test
    void aRereadIsMarkedOnItsThreadAndSentToThePrimary() {
        assertThat(GuardRuntime.isRereading()).isFalse();
        assertThat(PrimaryRouting.routeToPrimary()).isFalse();
        GuardRuntime.beginReread();
        assertThat(GuardRuntime.isRereading()).isTrue();
        assertThat(PrimaryRouting.routeToPrimary()).isTrue();
        GuardRuntime.endReread();
        assertThat(GuardRuntime.isRereading()).isFalse();
        assertThat(PrimaryRouting.routeToPrimary()).isFalse();
    }

    @Test
    void rereadsInFlightAreKnownByIdentityUntilDone() {
        Object reread = new Object();
        Object other = new Object();
        assertThat(GuardRuntime.isReread(reread)).isFalse();
        assertThat(GuardRuntime.rereadsInFlight()).isFalse();
        GuardRuntime.rereadStarted(reread);
        assertThat(GuardRuntime.rereadsInFlight()).isTrue();
        assertThat(GuardRuntime.isReread(reread)).isTrue();
        assertThat(GuardRuntime.isReread(other)).isFalse();
        GuardRuntime.rereadDone(reread);
        assertThat(GuardRuntime.isReread(reread)).isFalse();
        assertThat(GuardRuntime.rereadsInFlight()).isFalse();
    }

    @Test
    void theTooLargeCounterCountsAnUncheckedValue() {
        long before = versions.unchecked(VersionFailure.TOO_LARGE);
        GuardRuntime.current().tooLargeCounter().run();
        assertThat(versions.unchecked(VersionFailure.TOO_LARGE)).isEqualTo(before + 1);
    }

    @Test
    void theTelemetryContextTravelsWithTheCommand() {
        TrackedCommand read = get("c:1", 0);
        assertThat(read.context()).isNull();
        Object context = new Object();
        read.context(context);
        assertThat(read.context()).isSameAs(context);
    }

    @Test
    void aWriteReplySaysWhatItSaid() {
        assertThat(WriteReply.APPLIED.acknowledged()).isTrue();
        assertThat(WriteReply.NOT_APPLIED.acknowledged()).isFalse();
        assertThat(WriteReply.APPLIED.isPrevious()).isFalse();
        WriteReply previous = WriteReply.previous(java.nio.ByteBuffer.wrap(b("{\"version\":3}")));
        assertThat(previous.isPrevious()).isTrue();
        assertThat(previous.acknowledged()).isFalse();
        assertThat(StandardCharsets.UTF_8.decode(previous.previous()).toString()).isEqualTo("{\"version\":3}");
        assertThat(WriteReply.previous(null).isPrevious()).isTrue();
        assertThat(WriteReply.previous(null).previous()).isNull();
        assertThat(WriteReply.APPLIED.previous()).isNull();
    }

    @Test
    void everyCommandNameHasItsKind() {
        String[][] names = {{"GET", "GET"}, {"GETEX", "GET"}, {"MGET", "MGET"}, {"HGET", "HGET"}, {"HMGET", "HMGET"},
                {"HGETALL", "HGETALL"}, {"SET", "SET"}, {"SETEX", "SET"}, {"PSETEX", "SET"}, {"MSET", "MSET"},
                {"HSET", "HSET"}, {"HMSET", "HSET"}, {"SETNX", "SETNX"}, {"GETSET", "GETSET"}, {"MSETNX", "MSETNX"},
                {"HSETNX", "HSETNX"}, {"DEL", "DELETE"}, {"UNLINK", "DELETE"}, {"GETDEL", "DELETE"}};
        for (String[] name : names) {
            assertThat(CommandKind.of(name[0])).as(name[0]).isEqualTo(CommandKind.valueOf(name[1]));
        }
        assertThat(CommandKind.of("INCR")).isNull();
    }

    @Test
    void encodedArgumentsAreBoundedByWhatWasAdded() {
        EncodedArguments arguments = new EncodedArguments();
        for (int i = 0; i < 9; i++) {
            arguments.add(i % 2 == 0, b("a" + i));
        }
        assertThat(arguments.size()).isEqualTo(9);
        assertThat(arguments.isKey(8)).isTrue();
        assertThat(new String(arguments.bytes(8), StandardCharsets.UTF_8)).isEqualTo("a8");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> arguments.bytes(9))
                .isInstanceOf(IndexOutOfBoundsException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> arguments.isKey(-1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
