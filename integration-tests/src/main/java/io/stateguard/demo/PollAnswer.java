package io.stateguard.demo;

import io.stateguard.gateway.ApiResponse;
import io.stateguard.gateway.Json;

import java.net.http.HttpResponse;
import java.util.Map;

/**
 * One answer of the gateway's status API, reduced to what the poller judges: the state version it was
 * computed from ({@code X-State-Version}), the state, and whether it is a QR code.
 *
 * @param version the version of the state the answer was computed from
 * @param state   {@code open}, {@code connecting} or {@code close}
 * @param qrCode  whether the answer asks the user to scan a QR code
 */
public record PollAnswer(long version, String state, boolean qrCode) {

    /**
     * Verdict on an answer, given what the client knew when it sent the request.
     *
     * @param stale           the answer is older than a state the client had already seen
     *                        ({@code version < known.version})
     * @param qrForConnected  the answer is a QR code although the client had already seen the instance
     *                        {@code open} at the answer's version or later ({@code version <= known.openVersion}):
     *                        the gateway asks to pair a phone that is connected
     */
    public record Verdict(boolean stale, boolean qrForConnected) {
    }

    /**
     * Judges this answer against {@code known}, taken <em>before</em> the request was sent: what the client
     * learns while the request is in flight cannot make the answer wrong.
     */
    public Verdict judge(KnownStates.Known known) {
        boolean stale = version < known.version();
        boolean qrForConnected = qrCode && known.openVersion() != KnownStates.NONE && version <= known.openVersion();
        return new Verdict(stale, qrForConnected);
    }

    /**
     * Reads an answer of {@code GET /instance/connectionState/..} or {@code GET /instance/connect/..}.
     *
     * @throws IllegalArgumentException if the response is not a 200 with a state version and a state or QR body
     */
    public static PollAnswer of(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalArgumentException("HTTP " + response.statusCode() + ": " + response.body());
        }
        String version = response.headers().firstValue(ApiResponse.STATE_VERSION_HEADER)
                .orElseThrow(() -> new IllegalArgumentException("No " + ApiResponse.STATE_VERSION_HEADER + " header"));
        String headerState = response.headers().firstValue(ApiResponse.STATE_HEADER).orElse(null);
        Map<String, Object> body = Json.parseObject(response.body());
        if (body.containsKey("code") && body.containsKey("base64")) {
            return new PollAnswer(Long.parseLong(version), headerState, true);
        }
        Object state = Json.at(body, "instance", "state");
        if (!(state instanceof String)) {
            throw new IllegalArgumentException("Neither a state nor a QR code: " + response.body());
        }
        return new PollAnswer(Long.parseLong(version), (String) state, false);
    }
}
