package io.stateguard.it.probe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the probes print for a state value read from Redis: its {@code "version"}, {@code nil}, or the text. */
final class StateVersions {

    private static final Pattern VERSION = Pattern.compile("\"version\":(-?\\d+)");

    private StateVersions() {
    }

    static String version(String json) {
        if (json == null) {
            return "nil";
        }
        Matcher matcher = VERSION.matcher(json);
        return matcher.find() ? matcher.group(1) : "unversioned:" + json;
    }
}
