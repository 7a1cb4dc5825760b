package io.stateguard.harness;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Locates the {@code redis-server} executable used for every node, including Sentinels (which run as
 * {@code redis-server <conf> --sentinel}, so no separate {@code redis-sentinel} binary is needed).
 *
 * <p>Resolution order, decided once per JVM:
 * <ol>
 *   <li>system property {@value #SYSTEM_PROPERTY}</li>
 *   <li>environment variable {@value #ENV_VARIABLE}</li>
 *   <li>{@code redis-server} found on {@code PATH}</li>
 *   <li>the binary bundled in the {@code com.github.codemonstur:embedded-redis} jar (Redis 6.2), extracted to
 *       a temporary file</li>
 * </ol>
 * An explicitly configured path (1 or 2) that is not an executable file is an error rather than a reason to
 * fall back: silently testing against another Redis version would be worse than failing.
 */
public final class RedisServerBinary {

    /** System property naming the redis-server executable to use. */
    public static final String SYSTEM_PROPERTY = "stateguard.redis-server";

    /** Environment variable naming the redis-server executable to use. */
    public static final String ENV_VARIABLE = "STATEGUARD_REDIS_SERVER";

    private static volatile Path resolved;
    private static volatile Path extracted;

    private RedisServerBinary() {
    }

    /**
     * The executable to run, resolved on first use and cached for the life of the JVM.
     *
     * @throws IllegalStateException if a configured path is not executable, or if nothing is found and no
     *                               binary is bundled for this OS/architecture
     */
    public static Path path() {
        Path result = resolved;
        if (result == null) {
            synchronized (RedisServerBinary.class) {
                result = resolved;
                if (result == null) {
                    result = resolve();
                    resolved = result;
                }
            }
        }
        return result;
    }

    /**
     * The redis-server bundled in the embedded-redis jar, extracted (once per JVM) to an executable temporary
     * file that is deleted when the JVM exits. Normally reached through {@link #path()}; public so that a
     * test can deliberately run against the bundled Redis 6.2.
     *
     * @throws IllegalStateException if there is no bundled binary for this OS/architecture
     */
    public static Path embedded() {
        Path result = extracted;
        if (result == null) {
            synchronized (RedisServerBinary.class) {
                result = extracted;
                if (result == null) {
                    result = extract(embeddedResourceName(System.getProperty("os.name"), System.getProperty("os.arch")));
                    extracted = result;
                }
            }
        }
        return result;
    }

    private static Path resolve() {
        Optional<Path> configured = configured(System.getProperty(SYSTEM_PROPERTY), "system property " + SYSTEM_PROPERTY);
        if (configured.isEmpty()) {
            configured = configured(System.getenv(ENV_VARIABLE), "environment variable " + ENV_VARIABLE);
        }
        return configured.or(RedisServerBinary::onPath).orElseGet(RedisServerBinary::embedded);
    }

    private static Optional<Path> configured(String value, String source) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Path path = Paths.get(value.trim());
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            throw new IllegalStateException(source + " points to '" + value + "', which is not an executable file");
        }
        return Optional.of(path.toAbsolutePath());
    }

    private static Optional<Path> onPath() {
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return Optional.empty();
        }
        String executable = isWindows(System.getProperty("os.name")) ? "redis-server.exe" : "redis-server";
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /**
     * Maps {@code os.name}/{@code os.arch} to the resource name of the binary bundled in embedded-redis 1.4.3.
     *
     * @throws IllegalStateException for combinations the jar has no binary for
     */
    static String embeddedResourceName(String osName, String osArch) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        boolean amd64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        boolean x86 = arch.equals("x86") || arch.equals("i386") || arch.equals("i486") || arch.equals("i586")
                || arch.equals("i686");
        if (os.contains("linux")) {
            if (amd64) {
                return "redis-server-6.2.6-v5-linux-amd64";
            }
            if (arm64) {
                return "redis-server-6.2.7-linux-arm64";
            }
            if (x86) {
                return "redis-server-6.2.7-linux-386";
            }
        } else if (os.contains("mac") || os.contains("darwin")) {
            if (amd64) {
                return "redis-server-6.2.6-v5-darwin-amd64";
            }
            if (arm64) {
                return "redis-server-6.2.6-v5-darwin-arm64";
            }
        } else if (isWindows(os) && amd64) {
            // Redis 5.0 port: no Sentinel/Cluster features newer than 5.0; good enough for simple topologies.
            return "redis-server-5.0.14.1-windows-amd64.exe";
        }
        throw new IllegalStateException("No redis-server bundled for os.name='" + osName + "', os.arch='" + osArch
                + "'; install redis-server on PATH or set -D" + SYSTEM_PROPERTY + " / " + ENV_VARIABLE);
    }

    private static Path extract(String resource) {
        try (InputStream in = RedisServerBinary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource '" + resource + "' not found on the classpath: is "
                        + "com.github.codemonstur:embedded-redis a dependency? Otherwise install redis-server on PATH");
            }
            Path target = Files.createTempFile("stateguard-" + resource + "-", resource.endsWith(".exe") ? ".exe" : "");
            target.toFile().deleteOnExit();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            if (!target.toFile().setExecutable(true, true)) {
                throw new IllegalStateException("Cannot make " + target + " executable");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract bundled " + resource, e);
        }
    }

    private static boolean isWindows(String osName) {
        // startsWith, not contains: "darwin" contains "win".
        return osName != null && osName.toLowerCase(Locale.ROOT).startsWith("windows");
    }
}
