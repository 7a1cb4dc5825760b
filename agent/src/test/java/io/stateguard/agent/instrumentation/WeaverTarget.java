package io.stateguard.agent.instrumentation;

import java.util.concurrent.TimeUnit;

/** A class for {@link AdviceWeaverTest} to weave: each method has a shape the weaver must keep working. */
public class WeaverTarget {

    /** Returns a value; has its own handler, which must keep catching its own exceptions. */
    public String write(Object command) {
        RecordingAdvice.TRACE.append("body(").append(command).append(")");
        try {
            if ("inner".equals(command)) {
                throw new IllegalStateException("inner");
            }
        } catch (IllegalStateException e) {
            RecordingAdvice.TRACE.append(" caught");
            return "handled";
        }
        if ("outer".equals(command)) {
            throw new IllegalArgumentException("outer");
        }
        return "written:" + command;
    }

    /** A loop at the very first instruction: the body's first offset carries a frame of its own. */
    public void complete(Object command) {
        int i = 0;
        while (i < 2) {
            i++;
        }
        RecordingAdvice.TRACE.append("completed(").append(command).append(")");
    }

    /** Wide and primitive parameters around the one the advice replaces. */
    public String route(TimeUnit unit, long wide, double other, int slot) {
        return unit + "/" + wide + "/" + other + "/" + slot;
    }

    /** A primitive flag the advice replaces, before a reference and a wide parameter. */
    public String dispatch(boolean readOnly, Object key, long wide) {
        return readOnly + "/" + key + "/" + wide;
    }

    /** A skipped method with a primitive result returns its default value. */
    public long count(Object command) {
        return 42L;
    }

    /** A static method: there is no {@code this} to pass. */
    public static String parse(Object text) {
        return "parsed:" + text;
    }
}
