package io.stateguard.agent.bootstrap;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command's argument checks and the failures it finds before it touches another JVM, run in this
 * JVM (the paths that attach run against real JVMs in {@link AttachCommandEndToEndTest}).
 */
class AgentCommandTest {

    private static final String NL = System.lineSeparator();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(File jar, String... args) {
        return new AgentCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), jar, "9.8.7").run(args);
    }

    private String usage() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new AgentCommand(System.out, System.err, null, "9.8.7").usage(new PrintStream(text, true, StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void attachingToItsOwnJvmIsRefused() {
        String self = AgentCommand.ownPid();
        assertThat(self).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
        assertThat(run(new File("stateguard-agent.jar"), "attach", self)).isEqualTo(AgentCommand.FAILED);
        assertThat(err()).isEqualTo("stateguard: " + self + " is this command's own JVM" + NL);
        assertThat(out()).isEmpty();
    }

    @Test
    void withoutItsJarAttachFailsBeforeLookingAtTheTarget() {
        // any process id but this one's: the jar is missing, so nothing else is checked
        assertThat(run(null, "attach", "999999999")).isEqualTo(AgentCommand.FAILED);
        assertThat(err()).isEqualTo("stateguard: cannot locate the agent jar this command runs from" + NL);
        assertThat(out()).isEmpty();
    }

    @Test
    void listWithArgumentsIsAUsageError() {
        assertThat(run(null, "list", "--all")).isEqualTo(AgentCommand.USAGE);
        assertThat(err()).isEqualTo("stateguard: list takes no arguments" + NL + NL + usage());
        assertThat(out()).isEmpty();
    }

    @Test
    void processIdsAreNumbersWithoutSignOrLeadingZero() {
        for (String bad : new String[] {"0", "-1", "012", "12345678901", "12a", "+5"}) {
            out.reset();
            err.reset();
            assertThat(run(new File("x.jar"), "attach", bad)).as(bad).isEqualTo(AgentCommand.USAGE);
            assertThat(err()).as(bad).isEqualTo("stateguard: '" + bad + "' is not a process id (expected a number,"
                    + " see: list)" + NL + NL + usage());
        }
    }

    @Test
    void usageAndVersionGoToStandardOutput() {
        assertThat(run(null)).isEqualTo(AgentCommand.OK);
        assertThat(out()).isEqualTo(usage());
        out.reset();
        assertThat(run(null, "--version")).isEqualTo(AgentCommand.OK);
        assertThat(out()).isEqualTo("StateGuard agent 9.8.7" + NL);
        assertThat(err()).isEmpty();
    }

    @Test
    void aMissingProcessIsNamed() {
        if (!new File("/proc/self").isDirectory()) {
            assertThat(AgentCommand.checkProcess("999999999")).isNull();
            return;
        }
        assertThat(AgentCommand.checkProcess("999999999")).isEqualTo("no process with id 999999999");
        assertThat(AgentCommand.checkProcess(AgentCommand.ownPid())).as("our own user").isNull();
    }

    @Test
    void mainClassIsTheFirstWordOfTheCommand() {
        assertThat(AgentCommand.mainClass("com.example.Gateway --port 8080")).isEqualTo("com.example.Gateway");
        assertThat(AgentCommand.mainClass("  gateway.jar ")).isEqualTo("gateway.jar");
        assertThat(AgentCommand.mainClass("")).isEqualTo("(unknown)");
        assertThat(AgentCommand.mainClass(null)).isEqualTo("(unknown)");
    }
}
