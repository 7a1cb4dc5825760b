package io.stateguard.gateway;

import java.util.Locale;

/** The connection state of a WhatsApp instance, as Evolution API reports it. */
public enum ConnectionState {
    /** Logged in and connected. */
    OPEN,
    /** Connecting: reconnecting with saved credentials, or waiting for a QR code scan. */
    CONNECTING,
    /** Not connected (never started, logged out, or unlinked from the phone). */
    CLOSE;

    /** @return the name used on the wire: {@code open}, {@code connecting}, {@code close} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param wireName {@code open}, {@code connecting} or {@code close}
     * @throws IllegalArgumentException for anything else
     */
    public static ConnectionState fromWireName(String wireName) {
        for (ConnectionState state : values()) {
            if (state.wireName().equals(wireName)) {
                return state;
            }
        }
        throw new IllegalArgumentException("Unknown connection state: " + wireName);
    }
}
