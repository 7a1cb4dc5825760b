package io.stateguard.gateway;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The three endpoints of Evolution API's instance controller that clients poll. Answers are computed from
 * Redis reads that follow the connection's {@code ReadFrom}, as in a gateway that scales reads out to
 * replicas: a lagging replica yields an older state (flapping) or missing creds (a QR code for a connected
 * instance). Instances themselves are known from memory, like Evolution's instance monitor.
 */
final class InstanceController {

    private final StateStore store;
    private final Map<String, ConnectionLoop> instances;
    private final Map<String, AtomicInteger> qrCounts = new ConcurrentHashMap<>();

    InstanceController(StateStore store, Map<String, ConnectionLoop> instances) {
        this.store = store;
        this.instances = Map.copyOf(instances);
    }

    /** {@code GET /instance/connectionState/{name}}: {@code {"instance":{"instanceName":"...","state":"open"}}}. */
    ApiResponse connectionState(String name) {
        if (!instances.containsKey(name)) {
            return notFound(name);
        }
        InstanceState state = readState(name);
        return ApiResponse.ok(stateBody(name, state), state);
    }

    /**
     * {@code GET /instance/connect/{name}}: the connection state when open, or when saved (paired) creds let
     * the instance reconnect on its own; otherwise a QR code to pair a phone. A closed instance starts
     * connecting, as in Evolution API.
     */
    ApiResponse connect(String name) {
        ConnectionLoop loop = instances.get(name);
        if (loop == null) {
            return notFound(name);
        }
        InstanceState state = readState(name);
        if (state.state() == ConnectionState.OPEN) {
            return ApiResponse.ok(stateBody(name, state), state);
        }
        if (state.state() == ConnectionState.CLOSE) {
            loop.connectRequested();
        }
        if (Creds.isPaired(store.readCreds(name))) {
            return ApiResponse.ok(stateBody(name, state), state);
        }
        int count = qrCounts.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        return ApiResponse.ok(QrCode.issue(count).toJson(), state);
    }

    /** {@code DELETE /instance/logout/{name}}. */
    ApiResponse logout(String name) {
        ConnectionLoop loop = instances.get(name);
        if (loop == null) {
            return notFound(name);
        }
        if (!loop.logout()) {
            return ApiResponse.error(400, "Bad Request", "The \"" + name + "\" instance is not connected");
        }
        return ApiResponse.ok(Json.write(Json.object(
                "status", "SUCCESS", "error", false, "response", Json.object("message", "Instance logged out"))));
    }

    private InstanceState readState(String name) {
        Optional<InstanceState> stored = store.readState(name);
        // Known instance, nothing written yet: Evolution reports a fresh instance as closed.
        return stored.orElseGet(() -> new InstanceState(ConnectionState.CLOSE, 0, 0));
    }

    private static String stateBody(String name, InstanceState state) {
        return Json.write(Json.object("instance",
                Json.object("instanceName", name, "state", state.state().wireName())));
    }

    private static ApiResponse notFound(String name) {
        return ApiResponse.error(404, "Not Found", "The \"" + name + "\" instance does not exist");
    }
}
