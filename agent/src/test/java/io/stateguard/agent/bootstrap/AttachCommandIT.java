package io.stateguard.agent.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code java -jar stateguard-agent.jar [usage | version | list | attach <pid> [settings]]}, run as
 * users run it, against real JVMs (an application without Lettuce: routing through an attach is
 * tested end to end in the integration tests).
 */
class AttachCommandIT {

    private static final Path JAR = Paths.get(System.getProperty("stateguard.agent.jar", "target/stateguard-agent.jar"))
            .toAbsolutePath();

    private static final Path JAVA = Paths.get(System.getProperty("java.home"), "bin", "java");

    private final List<Process> started = new ArrayList<>();

    private final Map<Process, Path> errorFiles = new HashMap<>();

    @AfterEach
    void stopStarted() throws Exception {
        for (Process process : started) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (Path file : errorFiles.values()) {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void withoutArgumentsPrintsVersionAndUsageOfEveryCommand() throws Exception {
        Run run = cli();
        assertThat(run.exit).isZero();
        assertThat(run.out).startsWith("StateGuard agent ")
                .contains("Usage: java -javaagent:stateguard-agent.jar")
                .contains("java -jar stateguard-agent.jar attach <pid> [name=value;...]")
                .contains("java -jar stateguard-agent.jar list")
                .contains("exit codes: 0 done, 1 failed, 2 bad arguments, 3 StateGuard is already active");
        Run version = cli("version");
        assertThat(version.exit).isZero();
        assertThat(version.out.strip()).matches("StateGuard agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        Run unknown = cli("detach");
        assertThat(unknown.exit).isEqualTo(2);
        assertThat(unknown.err).startsWith("stateguard: unknown command 'detach'").contains("Usage:");
        Run noPid = cli("attach");
        assertThat(noPid.exit).isEqualTo(2);
        assertThat(noPid.err).startsWith("stateguard: attach needs the process id of a running JVM");
        Run notANumber = cli("attach", "gateway");
        assertThat(notANumber.exit).isEqualTo(2);
        assertThat(notANumber.err).startsWith("stateguard: 'gateway' is not a process id");
    }

    @Test
    void attachingToAProcessThatDoesNotExistFails() throws Exception {
        assumeThat(Paths.get("/proc/self")).as("needs /proc").isDirectory();
        long missing = 999_999_999L; // above Linux's largest pid_max (2^22)
        assumeThat(Paths.get("/proc/" + missing)).doesNotExist();
        Run run = cli("attach", String.valueOf(missing));
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.err.strip()).isEqualTo("stateguard: no process with id " + missing);
    }

    @Test
    void aProcessThatIsNotAJvmIsNeitherAttachedToNorSignalled() throws Exception {
        assumeThat(Paths.get("/proc/self")).as("needs /proc").isDirectory();
        Process sleep = track(new ProcessBuilder("sleep", "60").start());
        Run run = cli("attach", String.valueOf(sleep.pid()));
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.err.strip()).isEqualTo("stateguard: process " + sleep.pid() + " is not a Java virtual machine");
        // The Attach API signals its target with SIGQUIT, which would have ended sleep.
        Thread.sleep(200);
        assertThat(sleep.isAlive()).as("the process was not signalled").isTrue();
    }

    @Test
    void attachLoadsTheAgentOnceListShowsTheJvmAndASecondAttachIsRefused() throws Exception {
        Process app = startTarget(false);
        Run list = cli("list");
        assertThat(list.exit).isZero();
        assertThat(list.out).contains("PID").containsPattern("(?m)^" + app.pid() + "\\s+" + AttachTargetApp.class.getName()
                + "$");

        Run attach = cli("attach", String.valueOf(app.pid()), "keys=gw:state:*", "log.level=info");
        assertThat(attach.exit).as(attach.toString()).isZero();
        assertThat(attach.out).startsWith("StateGuard ")
                .contains(" attached to JVM " + app.pid() + " (" + AttachTargetApp.class.getName() + ", Java ")
                .contains("active (attached); rules: default{keys=gw:state:*, routing=primary}");

        Run again = cli("attach", String.valueOf(app.pid()), "keys=other:*");
        assertThat(again.exit).as(again.toString()).isEqualTo(3);
        assertThat(again.err).contains("is already active in JVM " + app.pid()).contains("it is not loaded twice");

        assertThat(app.isAlive()).isTrue();
        String log = stderrOf(app);
        assertThat(log.lines().filter(line -> line.contains("started in"))).singleElement().asString()
                .startsWith("[stateguard] INFO StateGuard ").contains("(attached)");
        assertThat(log).doesNotContain("already installed").doesNotContain("ERROR");
    }

    @Test
    void anAgentStartedWithJavaagentIsNotAttachedAgain() throws Exception {
        Process app = startTarget(true);
        Run attach = cli("attach", String.valueOf(app.pid()), "keys=gw:state:*");
        assertThat(attach.exit).as(attach.toString()).isEqualTo(3);
        assertThat(attach.err).contains("is already active in JVM " + app.pid() + " (")
                .contains(": active; rules: default{keys=gw:*, routing=primary}");
    }

    @Test
    void invalidSettingsOnAttachAreReportedAndCanBeCorrectedByAnotherAttach() throws Exception {
        Process app = startTarget(false);
        Run invalid = cli("attach", String.valueOf(app.pid()), "keys=gw:state:*;routing=primry");
        assertThat(invalid.exit).as(invalid.toString()).isEqualTo(1);
        assertThat(invalid.err).contains("StateGuard did not activate in JVM " + app.pid())
                .contains("disabled: invalid configuration: stateguard.routing='primry'");

        Run failFast = cli("attach", String.valueOf(app.pid()), "keys=gw:state:*;routing=primry;fail-fast=true");
        assertThat(failFast.exit).as(failFast.toString()).isEqualTo(1);
        assertThat(failFast.err).contains("StateGuard refused to start in JVM " + app.pid())
                .contains("stateguard.routing='primry'");
        assertThat(app.isAlive()).as("fail-fast fails the attach, not the application").isTrue();

        Run valid = cli("attach", String.valueOf(app.pid()), "keys=gw:state:*");
        assertThat(valid.exit).as(valid.toString()).isZero();
        assertThat(valid.out).contains("active (attached)");
    }

    @Test
    void anotherUsersJvmIsRefusedWithAClearMessage(@TempDir Path directory) throws Exception {
        assumeThat(System.getProperty("user.name")).as("runs the command as another user: needs root").isEqualTo("root");
        assumeThat(Paths.get("/usr/bin/setpriv")).as("needs setpriv").isExecutable();
        Process app = startTarget(false);
        // A copy of the jar that the other user can read, wherever the build directory is.
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.copy(JAR, directory.resolve("stateguard-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Run run = run(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                JAVA.toString(), "-jar", jar.toString(), "attach", String.valueOf(app.pid())));
        assumeThat(run.err).as("the other user can run java").doesNotContain("Unable to access jarfile")
                .doesNotContain("Permission denied");
        assertThat(run.exit).as(run.toString()).isEqualTo(1);
        assertThat(run.err).contains("stateguard: process " + app.pid() + " runs as user root (uid 0), this command as ")
                .contains("the Attach API only connects to JVMs of the same user")
                .contains("sudo -u root java -jar stateguard-agent.jar attach " + app.pid());
        assertThat(stderrOf(app)).doesNotContain("[stateguard]");
    }

    /**
     * Two commands attach at the same time with different settings: the agent is loaded once, exactly one
     * command reports success (exit 0) with the settings that are in effect, and the other says its attach
     * was not applied (exit 3), whether it lost before loading or after.
     */
    @Test
    void ofTwoConcurrentAttachesExactlyOneSucceedsAndTheOtherSaysSo() throws Exception {
        Process app = startTarget(false);
        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            Future<Run> first = both.submit(() -> cli("attach", String.valueOf(app.pid()), "keys=first:*"));
            Future<Run> second = both.submit(() -> cli("attach", String.valueOf(app.pid()), "keys=second:*"));
            List<Run> runs = List.of(first.get(120, TimeUnit.SECONDS), second.get(120, TimeUnit.SECONDS));
            assertThat(runs).as(runs.toString()).extracting(Run::exit).containsExactlyInAnyOrder(0, 3);
            Run won = runs.stream().filter(run -> run.exit == 0).findFirst().orElseThrow();
            Run lost = runs.stream().filter(run -> run.exit == 3).findFirst().orElseThrow();
            String winner = won.command.get(won.command.size() - 1);
            assertThat(won.out).contains("active (attached); rules: default{" + winner + ", routing=primary}");
            assertThat(lost.err).as(lost.toString()).containsAnyOf("is already active in JVM " + app.pid(),
                    "by another command at the same time");
            assertThat(lost.err).contains(winner);
            String log = stderrOf(app);
            assertThat(log.lines().filter(line -> line.contains("started in"))).singleElement().asString()
                    .contains("(attached); rules: default{" + winner);
        } finally {
            both.shutdownNow();
        }
    }

    /**
     * A JVM that died without removing its hsperfdata file leaves its pid in the Attach API's list; a process
     * that has that pid now is not a JVM and must not get the Attach API's {@code SIGQUIT}.
     */
    @Test
    void aStaleHsperfdataEntryForAProcessThatIsNotAJvmIsNotAttachedTo() throws Exception {
        Process app = startTarget(false);
        Path own = Paths.get(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"));
        Path live = own.resolve(String.valueOf(app.pid()));
        assertThat(live).as("the target JVM's hsperfdata file").isRegularFile();
        Process sleeper = track(new ProcessBuilder("sleep", "300").start());
        Path stale = own.resolve(String.valueOf(sleeper.pid()));
        Files.copy(live, stale);
        try {
            Run list = cli("list");
            assertThat(list.out).as("the Attach API lists the stale entry").containsPattern("(?m)^" + sleeper.pid() + "\\s");
            Run attach = cli("attach", String.valueOf(sleeper.pid()), "keys=a:*");
            assertThat(attach.exit).as(attach.toString()).isEqualTo(1);
            assertThat(attach.err.strip()).isEqualTo("stateguard: process " + sleeper.pid() + " is not a Java virtual machine");
            assertThat(sleeper.isAlive()).as("the process was not signalled").isTrue();
        } finally {
            Files.deleteIfExists(stale);
        }
    }

    /** Starts {@link AttachTargetApp}, with {@code -javaagent} or without, and waits until it runs. */
    private Process startTarget(boolean withAgent) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(JAVA.toString());
        if (Runtime.version().feature() >= 21) {
            command.add("-XX:+EnableDynamicAgentLoading");
        }
        if (withAgent) {
            command.add("-javaagent:" + JAR + "=keys=gw:*");
        }
        command.add("-cp");
        command.add(Paths.get("target", "test-classes").toAbsolutePath().toString());
        command.add(AttachTargetApp.class.getName());
        Path out = Files.createTempFile("attach-target", ".out");
        Path err = Files.createTempFile("attach-target", ".err");
        out.toFile().deleteOnExit();
        Process process = track(new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start());
        errorFiles.put(process, err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(out).contains("ready")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("target did not start: " + Files.readString(err));
            }
            Thread.sleep(20);
        }
        return process;
    }

    private String stderrOf(Process process) throws IOException {
        return Files.readString(errorFiles.get(process), StandardCharsets.UTF_8);
    }

    private Process track(Process process) {
        started.add(process);
        return process;
    }

    private static Run cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private static Run run(List<String> command) throws Exception {
        Path out = Files.createTempFile("attach-cli", ".out");
        Path err = Files.createTempFile("attach-cli", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("STATEGUARD_"));
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Run(command, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private record Run(List<String> command, int exit, String out, String err) {
        @Override
        public String toString() {
            return String.join(" ", command) + " exited with " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n"
                    + err;
        }
    }
}
