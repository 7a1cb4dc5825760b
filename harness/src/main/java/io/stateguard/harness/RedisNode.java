package io.stateguard.harness;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One running {@code redis-server} process (a data node, a Sentinel or a Cluster node) on 127.0.0.1.
 *
 * <p>Every node gets its own temporary directory holding the generated {@code redis.conf}, the Redis log
 * ({@link #logFile()}), the process console output (where Redis writes errors that happen before the log file
 * is opened, e.g. a bad config directive) and any RDB or {@code nodes.conf} file. The directory is deleted
 * by {@link #stop()} unless the logs are to be kept ({@link Builder#keepLogs(boolean)}, {@link #keepLogs()},
 * or {@code -Dstateguard.harness.keep-logs=true} for every node).
 *
 * <pre>{@code
 * try (RedisNode node = RedisNode.builder().name("cache").directive("maxmemory", "10mb").start()) {
 *     node.command("SET", "k", "v");
 *     assertThat(node.command("GET", "k")).isEqualTo("v");
 * }
 * }</pre>
 *
 * <p>Thread-safe. A JVM shutdown hook kills nodes that were never stopped.
 */
public final class RedisNode implements AutoCloseable {

    /** The only interface nodes listen on. */
    public static final String HOST = "127.0.0.1";

    /** System property: {@code true} keeps the directories (logs) of all nodes. */
    public static final String KEEP_LOGS_PROPERTY = "stateguard.harness.keep-logs";

    /** System property: parent directory of the node directories (default: {@code java.io.tmpdir}). */
    public static final String BASE_DIR_PROPERTY = "stateguard.harness.dir";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 3;
    private static final Pattern SIMPLE_CONFIG_TOKEN = Pattern.compile("[A-Za-z0-9_./:+@-]+");

    private final String name;
    private final int port;
    private final boolean sentinelMode;
    private final boolean clusterMode;
    private final Path directory;
    private final Path configFile;
    private final Path logFile;
    private final Path consoleFile;
    private final Duration commandTimeout;
    private final Process process;

    private final Object adminLock = new Object();
    private volatile RespClient admin; // replaced under adminLock; closed without it (see closeAdmin)
    private final Object lifecycleLock = new Object();
    private boolean stopped; // guarded by lifecycleLock
    private volatile boolean keepLogs;
    private volatile String version = "";

    private RedisNode(Builder builder, int port, Path directory, Process process) {
        this.name = builder.name;
        this.port = port;
        this.sentinelMode = builder.sentinelMode;
        this.clusterMode = builder.clusterMode;
        this.directory = directory;
        this.configFile = directory.resolve("redis.conf");
        this.logFile = directory.resolve("redis.log");
        this.consoleFile = directory.resolve("console.log");
        this.commandTimeout = builder.commandTimeout;
        this.process = process;
        this.keepLogs = builder.keepLogs;
    }

    /** @return a builder for a node with defaults: a free port, plain (non-Sentinel, non-Cluster) mode */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the name given at build time, used in directory names and diagnostics */
    public String name() {
        return name;
    }

    /** @return {@value #HOST} */
    public String host() {
        return HOST;
    }

    /** @return the client port */
    public int port() {
        return port;
    }

    /** @return {@code 127.0.0.1:<port>} */
    public String hostAndPort() {
        return HOST + ":" + port;
    }

    /** @return {@code redis://127.0.0.1:<port>}, e.g. for {@code RedisURI.create(...)} */
    public String uri() {
        return "redis://" + hostAndPort();
    }

    /** @return whether the process runs as a Sentinel ({@code --sentinel}) */
    public boolean isSentinel() {
        return sentinelMode;
    }

    /** @return whether the node runs with {@code cluster-enabled yes} */
    public boolean isClusterNode() {
        return clusterMode;
    }

    /** @return the node's private directory (config, logs, data) */
    public Path directory() {
        return directory;
    }

    /** @return the Redis log file ({@code logfile} directive) */
    public Path logFile() {
        return logFile;
    }

    /** @return the generated config file (Sentinels rewrite it while running) */
    public Path configFile() {
        return configFile;
    }

    /** @return the operating system process id */
    public long pid() {
        return process.pid();
    }

    /** @return {@code redis_version} reported by the server when it became ready, e.g. {@code "7.0.15"} */
    public String version() {
        return version;
    }

    /** @return whether the process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Runs one command on the node's admin connection (opened lazily, reopened after an I/O failure) and
     * returns the decoded reply as described in {@link RespClient}. On Cluster nodes the admin connection is
     * in {@code READONLY} mode, so keys of the master's slots can be read on its replicas.
     *
     * @throws RedisError on an error reply
     * @throws UncheckedIOException if the node cannot be reached or does not answer in time
     */
    public Object command(String... args) {
        return onAdminConnection(client -> client.call((Object[]) args));
    }

    /**
     * {@code INFO <section>} parsed into {@code field -> value}, in server order.
     *
     * @param section e.g. {@code "replication"}, {@code "server"}; {@code "all"} for everything
     */
    public Map<String, String> info(String section) {
        return parseInfo((String) command("INFO", section));
    }

    /** @return the first element of {@code ROLE}: {@code "master"}, {@code "slave"} or {@code "sentinel"} */
    public String role() {
        List<?> role = (List<?>) command("ROLE");
        return (String) role.get(0);
    }

    /**
     * Opens a new, independent connection to this node; the caller closes it. Use it for blocking commands
     * or {@code MULTI}, which must not share the admin connection.
     */
    public RespClient newClient() {
        return new RespClient(HOST, port, commandTimeout);
    }

    /**
     * Stops the node: {@code SHUTDOWN NOSAVE} (with {@code NOW} on Redis 7+, so a primary does not wait for
     * lagging replicas), then SIGTERM and finally SIGKILL if it has not exited in time. Deletes the node
     * directory unless logs are kept. Idempotent; also cleans up after {@link #kill()}.
     */
    public void stop() {
        synchronized (lifecycleLock) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        closeAdmin();
        try {
            if (process.isAlive()) {
                shutDown();
            }
        } finally {
            if (!process.isAlive()) {
                ProcessReaper.unregister(this);
            }
            if (!keepLogs) {
                deleteDirectory();
            }
        }
    }

    /** Same as {@link #stop()}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Kills the process abruptly (SIGKILL on Unix, no SHUTDOWN), the way a crash looks to its peers, and
     * waits until it is gone. Files stay until {@link #stop()}/{@link #close()}, which is still required.
     */
    public void kill() {
        closeAdmin();
        destroyTree();
        waitForExit(KILL_TIMEOUT);
    }

    /** Keeps the node directory (config, logs) when the node is stopped. */
    public void keepLogs() {
        keepLogs = true;
    }

    /** @return whether the node directory survives {@link #stop()} */
    public boolean keepsLogs() {
        return keepLogs;
    }

    /**
     * @return the last {@code lines} lines of the Redis log; empty if nothing was logged yet
     */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    @Override
    public String toString() {
        return name + "(" + hostAndPort() + ")";
    }

    /** Header, log tail and console output of this node, for failure messages. */
    String diagnostics(int lines) {
        StringBuilder text = new StringBuilder()
                .append("----- ").append(name).append(' ').append(hostAndPort())
                .append(" pid ").append(process.pid())
                .append(process.isAlive() ? " (running)" : " (exited)")
                .append(", log ").append(logFile).append(" -----\n");
        String log = logTail(lines);
        text.append(log.isEmpty() ? "(log empty)\n" : log);
        String console = tail(consoleFile, lines);
        if (!console.isBlank()) {
            text.append("----- ").append(name).append(" console output -----\n").append(console);
        }
        return text.toString();
    }

    /** Called by the shutdown hook: kill without ceremony. */
    void destroyOnJvmExit() {
        destroyTree();
    }

    /** Called by the shutdown hook after {@link #destroyOnJvmExit()} on all nodes. */
    void cleanUpOnJvmExit() {
        waitForExit(Duration.ofSeconds(2));
        if (keepLogs) {
            System.err.println("[stateguard-harness] " + this + " logs kept in " + directory);
        } else {
            deleteDirectory();
        }
    }

    private Object onAdminConnection(Function<RespClient, Object> action) {
        synchronized (adminLock) {
            RespClient client = admin;
            if (client == null || !client.isOpen()) {
                client = newClient();
                try {
                    if (clusterMode) {
                        client.call("READONLY");
                    }
                } catch (RuntimeException e) {
                    client.close();
                    throw e;
                }
                admin = client;
            }
            return action.apply(client); // on I/O failure the client closes itself and is replaced next time
        }
    }

    private void closeAdmin() {
        // Without the lock: closing the socket also unblocks a command that is waiting for its reply.
        RespClient client = admin;
        if (client != null) {
            client.close();
        }
    }

    private void awaitReady(Duration timeout) {
        Await.until(name + " (" + hostAndPort() + ") to answer PING", timeout, () -> {
            if (!process.isAlive()) {
                throw new Await.Abort(new StartupFailure(this, exitDescription()));
            }
            try (RespClient client = new RespClient(HOST, port, Duration.ofSeconds(1))) {
                Object reply = client.call("PING");
                return "PONG".equals(reply) ? null : "PING answered " + reply;
            } catch (RedisError e) {
                return e.getMessage(); // LOADING while loading data, for instance
            }
        }, () -> diagnostics(40));
        version = parseInfo((String) command("INFO", "server")).getOrDefault("redis_version", "");
    }

    private String exitDescription() {
        waitForExit(Duration.ofSeconds(1));
        return "redis-server " + name + " exited with code " + process.exitValue() + " during startup";
    }

    private void shutDown() {
        try (RespClient client = new RespClient(HOST, port, Duration.ofSeconds(5))) {
            client.call(shutdownCommand());
        } catch (UncheckedIOException expected) {
            // Normal: the server closes the connection instead of replying. Or it is unreachable: SIGTERM below.
        } catch (RedisError refused) {
            // E.g. "Errors trying to SHUTDOWN": fall back to signals below.
        }
        if (waitForExit(STOP_TIMEOUT)) {
            return;
        }
        process.destroy();
        if (waitForExit(Duration.ofSeconds(5))) {
            return;
        }
        destroyTree();
        if (!waitForExit(KILL_TIMEOUT)) {
            System.err.println("[stateguard-harness] " + this + " pid " + process.pid() + " did not exit after SIGKILL");
        }
    }

    private Object[] shutdownCommand() {
        // NOW (Redis 7+) skips waiting for lagging replicas; older servers reject the extra argument.
        return majorVersion() >= 7 ? new Object[] {"SHUTDOWN", "NOSAVE", "NOW"} : new Object[] {"SHUTDOWN", "NOSAVE"};
    }

    private int majorVersion() {
        try {
            int dot = version.indexOf('.');
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Kills the process and its children (a fork writing an RDB file would otherwise outlive it). */
    private void destroyTree() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** @return whether the process has exited within {@code timeout} */
    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyTree(); // never leave a process behind because the waiting thread was interrupted
            return !process.isAlive();
        }
    }

    private void deleteDirectory() {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[stateguard-harness] could not delete " + directory + ": " + e);
        }
    }

    static Map<String, String> parseInfo(String info) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.isEmpty() || line.startsWith("#") || colon < 0) {
                continue;
            }
            fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return Collections.unmodifiableMap(fields);
    }

    static String tail(Path file, int lines) {
        if (lines <= 0 || !Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int chunk = (int) Math.min(length, 256 * 1024); // Redis log lines are short: plenty for a tail
            byte[] bytes = new byte[chunk];
            raf.seek(length - chunk);
            raf.readFully(bytes);
            List<String> all = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n")));
            if (chunk < length && !all.isEmpty()) {
                all.remove(0); // started mid-line
            }
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return last.isEmpty() ? "" : String.join("\n", last) + "\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")\n";
        }
    }

    /** Quotes a config argument when redis.conf tokenization (sdssplitargs) requires it. */
    static String quote(String arg) {
        if (SIMPLE_CONFIG_TOKEN.matcher(arg).matches()) {
            return arg;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : arg.toCharArray()) {
            switch (c) {
                case '"': quoted.append("\\\""); break;
                case '\\': quoted.append("\\\\"); break;
                case '\n': quoted.append("\\n"); break;
                case '\r': quoted.append("\\r"); break;
                case '\t': quoted.append("\\t"); break;
                default: quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /** Startup failed for a reason other than a port conflict. */
    private static final class StartupFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        final boolean portInUse;

        StartupFailure(RedisNode node, String reason) {
            super(reason + "\n" + node.diagnostics(40));
            String output = node.logTail(40) + tail(node.consoleFile, 40);
            this.portInUse = output.contains("Address already in use");
        }
    }

    /**
     * Configures and starts a {@link RedisNode}. Not thread-safe; reusable (every {@link #start()} launches
     * a new process, with a new port unless one was set).
     */
    public static final class Builder {
        private String name = "redis";
        private Integer port;
        private boolean sentinelMode;
        private boolean clusterMode;
        private final List<List<String>> directives = new ArrayList<>();
        private boolean keepLogs = Boolean.getBoolean(KEEP_LOGS_PROPERTY);
        private Duration startupTimeout = Duration.ofSeconds(20);
        private Duration commandTimeout = RespClient.DEFAULT_TIMEOUT;
        private Path binary;

        private Builder() {
        }

        /** Name used in the directory name and in diagnostics, e.g. {@code "replica-0"}. Default {@code "redis"}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * A fixed port. By default a port comes from {@link FreePorts} and startup is retried on another port if
         * a different process took it meanwhile; a fixed port is tried once.
         */
        public Builder port(int port) {
            if (port <= 0 || port > 65_535) {
                throw new IllegalArgumentException("Invalid port " + port);
            }
            this.port = port;
            return this;
        }

        /** Runs {@code redis-server <conf> --sentinel}; add {@code sentinel ...} lines with {@link #directive}. */
        public Builder sentinelMode(boolean sentinelMode) {
            this.sentinelMode = sentinelMode;
            return this;
        }

        /**
         * Adds {@code cluster-enabled yes} and a {@code cluster-config-file} in the node directory, and allocates
         * the port with {@link FreePorts#nextClusterPort()} so the cluster bus port is free too.
         */
        public Builder clusterMode(boolean clusterMode) {
            this.clusterMode = clusterMode;
            return this;
        }

        /**
         * Appends a config directive after the harness defaults; for single-valued settings the later line
         * wins, so this can also override a default. Arguments are quoted as needed.
         *
         * @param name e.g. {@code "maxmemory"}
         * @param args e.g. {@code "10mb"}; numbers are written with {@code toString()}
         */
        public Builder directive(String name, Object... args) {
            List<String> line = new ArrayList<>(args.length + 1);
            line.add(Objects.requireNonNull(name, "name"));
            for (Object arg : args) {
                line.add(Objects.requireNonNull(arg, "directive arguments must not be null").toString());
            }
            directives.add(List.copyOf(line));
            return this;
        }

        /** Shorthand for {@code directive("replicaof", host, port)}. */
        public Builder replicaOf(String host, int port) {
            return directive("replicaof", host, port);
        }

        /** Keeps the node directory (logs) after {@link RedisNode#stop()}. Default: {@value #KEEP_LOGS_PROPERTY} property. */
        public Builder keepLogs(boolean keepLogs) {
            this.keepLogs = keepLogs;
            return this;
        }

        /** How long to wait for the first PING answer. Default 20 s. */
        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = Objects.requireNonNull(startupTimeout, "startupTimeout");
            return this;
        }

        /** Read timeout of {@link RedisNode#command} replies. Default 10 s. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
            return this;
        }

        /** The redis-server executable. Default {@link RedisServerBinary#path()}. */
        public Builder binary(Path binary) {
            this.binary = Objects.requireNonNull(binary, "binary");
            return this;
        }

        /**
         * Starts the process and waits until it answers PING.
         *
         * @throws IllegalStateException if the process exits during startup (the message contains its log
         *                               tail and the directory, which is kept)
         * @throws HarnessTimeoutException if it does not answer within the startup timeout
         */
        public RedisNode start() {
            if (sentinelMode && clusterMode) {
                throw new IllegalStateException("A node cannot be both a Sentinel and a Cluster node");
            }
            Path executable = binary != null ? binary : RedisServerBinary.path();
            int attempts = port != null ? 1 : PORT_ATTEMPTS;
            for (int attempt = 1; ; attempt++) {
                int chosenPort = port != null ? port : clusterMode ? FreePorts.nextClusterPort() : FreePorts.next();
                RedisNode node = launch(executable, chosenPort);
                try {
                    node.awaitReady(startupTimeout);
                    return node;
                } catch (StartupFailure e) {
                    if (e.portInUse && attempt < attempts) {
                        node.stop(); // lost a race for the port against another process: try another one
                        continue;
                    }
                    node.keepLogs();
                    node.stop();
                    throw e;
                } catch (RuntimeException | Error e) {
                    node.keepLogs();
                    node.stop();
                    throw e;
                }
            }
        }

        private RedisNode launch(Path executable, int chosenPort) {
            Path directory;
            try {
                Path base = Paths.get(System.getProperty(BASE_DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
                Files.createDirectories(base);
                directory = Files.createTempDirectory(base, "stateguard-" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-");
                Files.write(directory.resolve("redis.conf"), configLines(directory, chosenPort), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot prepare the directory of node " + name, e);
            }
            List<String> command = new ArrayList<>(List.of(executable.toString(), directory.resolve("redis.conf").toString()));
            if (sentinelMode) {
                command.add("--sentinel");
            }
            Process process;
            try {
                process = new ProcessBuilder(command)
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        // To a file, not a pipe: nobody drains a pipe, and a full pipe would block redis-server.
                        .redirectOutput(directory.resolve("console.log").toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + String.join(" ", command) + " (files kept in " + directory + ")", e);
            }
            RedisNode node = new RedisNode(this, chosenPort, directory, process);
            ProcessReaper.register(node);
            return node;
        }

        private List<String> configLines(Path directory, int chosenPort) {
            List<String> lines = new ArrayList<>();
            lines.add("# Generated by the StateGuard test harness for node '" + name + "'");
            lines.add("bind " + HOST);
            lines.add("port " + chosenPort);
            lines.add("protected-mode no");
            lines.add("daemonize no");
            lines.add("save \"\"");
            lines.add("appendonly no");
            lines.add("dir " + quote(directory.toString()));
            lines.add("logfile " + quote(directory.resolve("redis.log").toString()));
            if (clusterMode) {
                lines.add("cluster-enabled yes");
                lines.add("cluster-config-file " + quote(directory.resolve("nodes.conf").toString()));
            }
            for (List<String> directive : directives) {
                StringBuilder line = new StringBuilder(directive.get(0).toLowerCase(Locale.ROOT));
                for (String arg : directive.subList(1, directive.size())) {
                    line.append(' ').append(quote(arg));
                }
                lines.add(line.toString());
            }
            return lines;
        }
    }
}
