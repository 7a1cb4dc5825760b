package io.stateguard.agent.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Test helper: the lines {@link AgentLog} prints while {@code body} runs. */
public final class AgentLogCapture {

    private AgentLogCapture() {
    }

    public static List<String> capture(Runnable body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AgentLog.setOut(capture);
        try {
            body.run();
        } finally {
            AgentLog.setOut(System.err);
        }
        return Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\\R")).filter(line -> !line.isEmpty())
                .collect(Collectors.toList());
    }
}
