package io.stateguard.agent.instrumentation;

import java.util.concurrent.TimeUnit;

/** Advice for {@link AdviceWeaverTest}: records its calls in {@link #TRACE}. */
public final class RecordingAdvice {

    public static final StringBuilder TRACE = new StringBuilder();

    private RecordingAdvice() {
    }

    public static void onEnter(Object self, Object command) {
        TRACE.append("enter(").append(self.getClass().getSimpleName()).append(',').append(command)
                .append(") ");
    }

    public static void onExit() {
        TRACE.append(" exit");
    }

    public static boolean skip(Object self, Object command) {
        TRACE.append("skip?(").append(command).append(") ");
        return "skip".equals(command);
    }

    public static Object replace(Object unit) {
        return unit == TimeUnit.SECONDS ? TimeUnit.DAYS : unit;
    }
}
