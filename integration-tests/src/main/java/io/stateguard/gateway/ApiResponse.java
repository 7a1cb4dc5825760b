package io.stateguard.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP response of the gateway's API, independent of the HTTP server.
 *
 * @param status  HTTP status
 * @param headers extra headers besides {@code Content-Type: application/json}
 * @param body    JSON
 */
public record ApiResponse(int status, Map<String, String> headers, String body) {

    /** Header carrying the version of the state an answer was computed from. */
    public static final String STATE_VERSION_HEADER = "X-State-Version";

    /** Header carrying the state ({@code open}, {@code connecting}, {@code close}) an answer was computed from. */
    public static final String STATE_HEADER = "X-Instance-State";

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    /** @return 200 with {@code body} and the state headers of {@code state} */
    static ApiResponse ok(String body, InstanceState state) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(STATE_VERSION_HEADER, Long.toString(state.version()));
        headers.put(STATE_HEADER, state.state().wireName());
        return new ApiResponse(200, headers, body);
    }

    /** @return 200 with {@code body} and no state headers */
    static ApiResponse ok(String body) {
        return new ApiResponse(200, Map.of(), body);
    }

    /**
     * @return an error in Evolution API's format:
     *         {@code {"status":404,"error":"Not Found","response":{"message":[...]}}}
     */
    static ApiResponse error(int status, String error, String message) {
        return new ApiResponse(status, Map.of(), Json.write(Json.object(
                "status", status,
                "error", error,
                "response", Json.object("message", List.of(message)))));
    }
}
