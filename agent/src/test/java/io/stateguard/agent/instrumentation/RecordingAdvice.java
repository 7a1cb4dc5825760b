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

    /** Turns the flag off for the key {@code "state"}. */
    public static boolean flag(boolean readOnly, Object key) {
        return readOnly && !"state".equals(key);
    }

    /** Takes a narrower type than the method it is bound to passes: does not fit. */
    public static void typed(Object self, Integer command) {
        TRACE.append("typed ");
    }

    /** Two entry methods of one name: the advice cannot say which. */
    public static void overloaded(Object command) {
        TRACE.append("overloaded ");
    }

    public static void overloaded(Object self, Object command) {
        TRACE.append("overloaded ");
    }
}
