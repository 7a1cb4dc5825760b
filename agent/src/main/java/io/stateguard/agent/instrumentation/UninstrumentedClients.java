package io.stateguard.agent.instrumentation;

/**
 * Redis clients the agent sees load but does not instrument, recognised by one class each: an
 * application that reads state keys through one of them is not protected, and must be told so once
 * rather than believe it is.
 */
public final class UninstrumentedClients {

    /** Internal names of the marker classes, and the client each names. */
    private static final String[][] MARKERS = {
            {"redis/clients/jedis/Jedis", "Jedis"},
            {"redis/clients/jedis/UnifiedJedis", "Jedis"},
    };

    private UninstrumentedClients() {
    }

    /**
     * The client that {@code internalName} marks, or {@code null}. Called for every class that loads:
     * one character comparison for almost all of them.
     */
    public static String clientOf(String internalName) {
        if (internalName.isEmpty()) {
            return null;
        }
        char first = internalName.charAt(0);
        if (first != 'r') {
            return null;
        }
        for (String[] marker : MARKERS) {
            if (marker[0].equals(internalName)) {
                return marker[1];
            }
        }
        return null;
    }

    /** The one warning for {@code client}, loaded from {@code location}. */
    public static String warning(String client, String location, String instrumentedClients) {
        return "StateGuard does not instrument " + client + " (from " + location + "): reads through it keep "
                + client + "'s own routing and are neither routed by state-key rules nor checked; StateGuard "
                + "instruments " + instrumentedClients;
    }

    /** The jar (or directory) a class came from, named as the start-up log names Lettuce's. */
    public static String location(java.security.ProtectionDomain protectionDomain) {
        java.security.CodeSource source = protectionDomain == null ? null : protectionDomain.getCodeSource();
        java.net.URL url = source == null ? null : source.getLocation();
        return url == null ? "an unknown location" : ModuleSelector.location(url.toString(), "");
    }
}
