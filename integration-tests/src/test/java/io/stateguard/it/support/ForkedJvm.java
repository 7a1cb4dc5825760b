package io.stateguard.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a main class in a new JVM, as users run their application: optionally with
 * {@code -javaagent:agent/target/stateguard-agent.jar}, on the test class path (minus anything of
 * the agent's own, so the agent's classes only come from its jar).
 *
 * <p>The forked JVM is {@code <java home>/bin/java} of, in this order: {@link #javaHome(Path)}, the
 * system property {@value #JAVA_HOME_PROPERTY}, the environment variable {@value #JAVA_HOME_ENV},
 * and the JVM running the tests. So {@code mvn verify -Dstateguard.test.java.home=/usr/lib/jvm/temurin-25-jdk-amd64}
 * runs every end-to-end test on Java 25.
 */
public final class ForkedJvm {

    /** System property naming the Java home of forked JVMs. */
    public static final String JAVA_HOME_PROPERTY = "stateguard.test.java.home";

    /** Environment variable naming the Java home of forked JVMs (the system property wins). */
    public static final String JAVA_HOME_ENV = "STATEGUARD_TEST_JAVA_HOME";

    /** Where {@link #newestJavaHome()} looks for installed JDKs, besides the configured ones. */
    private static final Path JVM_DIRECTORY = Paths.get("/usr/lib/jvm");

    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private String agentArgs;
    private boolean withAgent;
    private long timeoutSeconds = 90;
    private final List<String> lettuceJars = new ArrayList<>();
    private boolean replacesNetty;
    private boolean replacesReactor;
    private final List<String> redissonJars = new ArrayList<>();
    private Path javaHome;
    private final List<String> classPathExclusions = new ArrayList<>();

    public static ForkedJvm create() {
        return new ForkedJvm();
    }

    /** The built agent jar; fails with a clear message when the agent module has not been packaged. */
    public static Path agentJar() {
        String configured = System.getProperty("stateguard.agent.jar");
        Path jar = configured != null ? Paths.get(configured) : Paths.get("../agent/target/stateguard-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar not found at " + jar.toAbsolutePath()
                    + ": build it first (mvn -B verify at the project root builds the agent before these tests)");
        }
        return jar.toAbsolutePath();
    }

    /**
     * The Java home forked JVMs use unless {@link #javaHome(Path)} says otherwise: the system property
     * {@value #JAVA_HOME_PROPERTY}, else the environment variable {@value #JAVA_HOME_ENV}, else this JVM's.
     */
    public static Path defaultJavaHome() {
        String configured = System.getProperty(JAVA_HOME_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(JAVA_HOME_ENV);
        }
        if (configured == null || configured.isBlank()) {
            return Paths.get(System.getProperty("java.home"));
        }
        Path home = Paths.get(configured);
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            throw new IllegalStateException(JAVA_HOME_PROPERTY + "/" + JAVA_HOME_ENV + " names " + home
                    + ", which has no bin/java");
        }
        return home;
    }

    /**
     * The feature version (8, 17, 25, ...) of the JDK or JRE at {@code javaHome}, from its
     * {@code release} file; this JVM's version for this JVM's home.
     */
    public static int featureVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (Files.isRegularFile(release)) {
            try {
                Matcher matcher = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)")
                        .matcher(Files.readString(release, StandardCharsets.ISO_8859_1));
                if (matcher.find()) {
                    return Integer.parseInt(matcher.group(1));
                }
            } catch (IOException e) {
                // fall through
            }
        }
        if (javaHome.toAbsolutePath().normalize().equals(Paths.get(System.getProperty("java.home")).toAbsolutePath()
                .normalize())) {
            return Runtime.version().feature();
        }
        throw new IllegalStateException("cannot tell the Java version of " + javaHome);
    }

    /**
     * The newest JDK installed on this machine: the system property {@code stateguard.test.newest.java.home}
     * when set, else the highest version below {@code /usr/lib/jvm} that has {@code bin/java} and a
     * {@code release} file (Debian's and Temurin's layout); empty when there is none.
     */
    public static Optional<Path> newestJavaHome() {
        String configured = System.getProperty("stateguard.test.newest.java.home");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Paths.get(configured));
        }
        Path newest = null;
        int newestVersion = -1;
        if (Files.isDirectory(JVM_DIRECTORY)) {
            try (DirectoryStream<Path> homes = Files.newDirectoryStream(JVM_DIRECTORY)) {
                for (Path home : homes) {
                    if (Files.isSymbolicLink(home) || !Files.isExecutable(home.resolve("bin").resolve("java"))
                            || !Files.isRegularFile(home.resolve("release"))) {
                        continue;
                    }
                    try {
                        int version = featureVersion(home);
                        if (version > newestVersion) {
                            newest = home;
                            newestVersion = version;
                        }
                    } catch (IllegalStateException e) {
                        // not a usable JDK
                    }
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(newest);
    }

    /** Adds {@code -javaagent:<agent jar>[=args]}; {@code null} args attaches it without arguments. */
    public ForkedJvm withAgent(String arguments) {
        this.withAgent = true;
        this.agentArgs = arguments;
        return this;
    }

    public ForkedJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public ForkedJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs on the JDK at {@code home} instead of {@link #defaultJavaHome()}. */
    public ForkedJvm javaHome(Path home) {
        this.javaHome = home;
        return this;
    }

    /** The Java home this JVM will run on. */
    public Path javaHome() {
        return javaHome != null ? javaHome : defaultJavaHome();
    }

    /** The feature version of the Java this JVM will run on. */
    public int javaFeatureVersion() {
        return featureVersion(javaHome());
    }

    /**
     * Runs with another Lettuce: every jar the build copied to {@code target/lettuce/<version>/}
     * ({@code lettuce-core.jar}, and for versions that need them older {@code netty-*.jar} or
     * {@code reactor-core.jar}) comes first and replaces those of the test class path.
     */
    public ForkedJvm lettuceVersion(String version) {
        Path directory = Paths.get(System.getProperty("stateguard.lettuce.dir", "target/lettuce"), version);
        Path jar = directory.resolve("lettuce-core.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no Lettuce " + version + " at " + jar.toAbsolutePath()
                    + " (the integration-tests build copies it in generate-test-resources)");
        }
        lettuceJars.clear();
        replacesNetty = false;
        replacesReactor = false;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path each : jars) {
                String name = each.getFileName().toString();
                replacesNetty |= name.startsWith("netty-");
                replacesReactor |= name.startsWith("reactor-core");
                lettuceJars.add(each.toAbsolutePath().toString());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + directory, e);
        }
        lettuceJars.sort(null);
        return this;
    }

    /**
     * Runs with another Redisson: every jar the build copied to {@code target/redisson/<version>/}
     * ({@code redisson-<version>.jar} and, for a version that runs, the {@code netty-*.jar} it declares) comes first and replaces the test class
     * path's Redisson and Netty.
     */
    public ForkedJvm redissonVersion(String version) {
        Path directory = Paths.get(System.getProperty("stateguard.redisson.dir", "target/redisson"), version);
        if (!Files.isRegularFile(directory.resolve("redisson-" + version + ".jar"))) {
            throw new IllegalStateException("no Redisson " + version + " at " + directory.toAbsolutePath()
                    + " (the integration-tests build copies it in generate-test-resources)");
        }
        redissonJars.clear();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path each : jars) {
                replacesNetty |= each.getFileName().toString().startsWith("netty-");
                redissonJars.add(each.toAbsolutePath().toString());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + directory, e);
        }
        redissonJars.sort(null);
        return this;
    }

    /**
     * Runs with {@code jarOrDirectory} in place of the test class path's Lettuce: for a Lettuce
     * that is not published, such as one compiled by a test.
     */
    public ForkedJvm lettuceJar(Path jarOrDirectory) {
        lettuceJars.clear();
        lettuceJars.add(jarOrDirectory.toAbsolutePath().toString());
        return this;
    }

    /**
     * Leaves every test class path entry whose path contains one of {@code fragments} (such as
     * {@code /io/netty/}) off the forked JVM's class path: for an application that loads those
     * libraries in a class loader of its own.
     */
    public ForkedJvm classPathWithout(String... fragments) {
        classPathExclusions.addAll(Arrays.asList(fragments));
        return this;
    }

    /** The test class path's entries whose path contains one of {@code fragments}. */
    public static List<String> testClassPathEntries(String... fragments) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            for (String fragment : fragments) {
                if (normalized.contains(fragment)) {
                    entries.add(entry);
                    break;
                }
            }
        }
        return entries;
    }

    public ForkedJvm timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** Runs {@code mainClass} with {@code args} and waits for it to exit. */
    public Result run(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = javaCommand();
        command.add("-cp");
        command.add(testClassPath());
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return runToEnd(command);
    }

    /**
     * Runs {@code java [-javaagent:...] [jvm args] -jar <jar> args}, as an executable jar (a Spring Boot
     * fat jar, or the agent jar's own commands), without the test class path, and waits for it to exit.
     */
    public Result runJar(Path jar, String... args) throws IOException, InterruptedException {
        List<String> command = javaCommand();
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.addAll(Arrays.asList(args));
        return runToEnd(command);
    }

    /**
     * Starts {@code java [-javaagent:...] [jvm args] -jar <jar> args} and returns at once; {@link Running#stop()}
     * ends it.
     */
    public Running startJar(Path jar, String... args) throws IOException {
        List<String> command = javaCommand();
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile("stateguard-forked", ".out");
        Path err = Files.createTempFile("stateguard-forked", ".err");
        return new Running(command, processBuilder(command, out, err).start(), out, err);
    }

    /** Starts {@code mainClass} with {@code args} and returns at once; {@link Running#stop()} ends it. */
    public Running start(String mainClass, String... args) throws IOException {
        List<String> command = javaCommand();
        command.add("-cp");
        command.add(testClassPath());
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile("stateguard-forked", ".out");
        Path err = Files.createTempFile("stateguard-forked", ".err");
        return new Running(command, processBuilder(command, out, err).start(), out, err);
    }

    private List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(javaHome().resolve("bin").resolve("java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        if (withAgent) {
            command.add("-javaagent:" + agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
        }
        command.addAll(jvmArgs);
        return command;
    }

    private ProcessBuilder processBuilder(List<String> command, Path out, Path err) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("STATEGUARD_"));
        builder.environment().putAll(environment);
        return builder;
    }

    private Result runToEnd(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("stateguard-forked", ".out");
        Path err = Files.createTempFile("stateguard-forked", ".err");
        Process process = processBuilder(command, out, err).start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("forked JVM did not exit within " + timeoutSeconds + " s: " + command
                        + "\nstdout:\n" + read(out) + "\nstderr:\n" + read(err));
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private String testClassPath() {
        String classPath = testClassPath(lettuceJars, replacesNetty, replacesReactor);
        if (!redissonJars.isEmpty()) {
            List<String> entries = new ArrayList<>(redissonJars);
            for (String entry : classPath.split(File.pathSeparator)) {
                if (!entry.replace('\\', '/').contains("/org/redisson/redisson/")) {
                    entries.add(entry);
                }
            }
            classPath = String.join(File.pathSeparator, entries);
        }
        if (classPathExclusions.isEmpty()) {
            return classPath;
        }
        List<String> kept = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (classPathExclusions.stream().noneMatch(normalized::contains)) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    static String testClassPath(String lettuceJar) {
        return testClassPath(lettuceJar == null ? List.of() : List.of(lettuceJar), false, false);
    }

    private static String testClassPath(List<String> lettuceJars, boolean replacesNetty, boolean replacesReactor) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = new ArrayList<>(lettuceJars);
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            // The agent's classes must come from its jar only, never from the class path.
            if (normalized.contains("/agent/target/") || normalized.contains("stateguard-agent")) {
                continue;
            }
            if (!lettuceJars.isEmpty() && normalized.contains("/io/lettuce/lettuce-core/")) {
                continue;
            }
            if (replacesNetty && normalized.contains("/io/netty/")) {
                continue;
            }
            if (replacesReactor && normalized.contains("/io/projectreactor/reactor-core/")) {
                continue;
            }
            kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }

    /** A forked JVM that is still running: its output so far, its process id, and a way to end it. */
    public static final class Running implements AutoCloseable {

        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;

        Running(List<String> command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public String stdout() throws IOException {
            return read(out);
        }

        public String stderr() throws IOException {
            return read(err);
        }

        /**
         * Waits until a line of standard output matches {@code line} and returns it; fails with
         * everything the JVM printed when the JVM ends first or {@code timeout} passes.
         */
        public String awaitLine(Predicate<String> line, Duration timeout) throws IOException, InterruptedException {
            return awaitLine(line, 0, timeout);
        }

        /** Like {@link #awaitLine(Predicate, Duration)}, among the lines after the first {@code skip} ones. */
        public String awaitLine(Predicate<String> line, int skip, Duration timeout)
                throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<String> lines = stdoutLines();
                for (int i = skip; i < lines.size(); i++) {
                    if (line.test(lines.get(i))) {
                        return lines.get(i);
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError(describe("ended (exit code " + process.exitValue()
                            + ") before printing the awaited line"));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(describe("did not print the awaited line within " + timeout));
                }
                Thread.sleep(50);
            }
        }

        /** Complete lines of standard output so far. */
        public List<String> stdoutLines() throws IOException {
            String text = stdout();
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return List.of();
            }
            return Arrays.asList(text.substring(0, end).split("\\R", -1));
        }

        public String describe(String problem) throws IOException {
            return "forked JVM " + problem + ": " + String.join(" ", command) + "\n--- stdout ---\n" + stdout()
                    + "\n--- stderr ---\n" + stderr();
        }

        /**
         * Waits up to {@code timeout} for the JVM to end by itself, then returns what it printed (ending it
         * first if it is still running: its result then shows the kill).
         */
        public Result await(Duration timeout) throws IOException, InterruptedException {
            process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return stop();
        }

        /** Ends the JVM (if it still runs) and returns what it printed. */
        public Result stop() throws IOException, InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            Result result = new Result(command, process.exitValue(), read(out), read(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        }

        /** {@link #stop()}s the JVM unless that was done already. */
        @Override
        public void close() throws IOException {
            if (Files.exists(out)) {
                try {
                    stop();
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** What a forked JVM printed and how it ended. */
    public static final class Result {

        private final List<String> command;
        private final int exitCode;
        private final String stdout;
        private final String stderr;

        Result(List<String> command, int exitCode, String stdout, String stderr) {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        public int exitCode() {
            return exitCode;
        }

        public String stdout() {
            return stdout;
        }

        public String stderr() {
            return stderr;
        }

        /** Lines {@code <prefix>name=value} of standard output, by name. */
        public Map<String, String> values(String prefix) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : stdout.split("\\R")) {
                if (line.startsWith(prefix)) {
                    int eq = line.indexOf('=');
                    values.put(line.substring(prefix.length(), eq), line.substring(eq + 1));
                }
            }
            return values;
        }

        /** Fails with everything the JVM printed unless it exited with 0. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(describe("exited with " + exitCode));
            }
            return this;
        }

        public String describe(String problem) {
            return "forked JVM " + problem + ": " + String.join(" ", command) + "\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }
}
