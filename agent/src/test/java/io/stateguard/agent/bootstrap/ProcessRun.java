package io.stateguard.agent.bootstrap;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process the end-to-end tests started and waited for (at most 60 s), with what it printed. No
 * {@code STATEGUARD_*} variable of the test's environment reaches it, so only the arguments configure
 * the agent.
 */
record ProcessRun(List<String> command, int exit, String out, String err) {

    static ProcessRun run(List<String> command) throws Exception {
        Path out = Files.createTempFile("stateguard-process", ".out");
        Path err = Files.createTempFile("stateguard-process", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("STATEGUARD_"));
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new ProcessRun(command, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The non-blank lines of standard error. */
    List<String> errLines() {
        return Arrays.stream(err.split("\\R")).filter(line -> !line.isBlank()).toList();
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " exited with " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n"
                + err;
    }
}
