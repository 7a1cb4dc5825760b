package io.stateguard.gateway;

import java.util.Map;
import java.util.Objects;

/**
 * The value of an instance's state key: {@code {"state":"open","version":7,"updatedAt":1700000000000}}.
 *
 * <p>{@code version} grows by one with every transition the instance's connection loop writes, so any reader
 * can tell an older answer from a newer one: that is what makes stale replica reads detectable.
 *
 * @param state     the connection state
 * @param version   the transition counter, 1 for the first write
 * @param updatedAt epoch milliseconds of the transition
 */
public record InstanceState(ConnectionState state, long version, long updatedAt) {

    public InstanceState {
        Objects.requireNonNull(state, "state");
    }

    /** @return the JSON stored in Redis */
    public String toJson() {
        return Json.write(Json.object("state", state.wireName(), "version", version, "updatedAt", updatedAt));
    }

    /**
     * @throws IllegalArgumentException if {@code json} is not a state value
     */
    public static InstanceState fromJson(String json) {
        Map<String, Object> object = Json.parseObject(json);
        Object state = object.get("state");
        Object version = object.get("version");
        Object updatedAt = object.get("updatedAt");
        if (!(state instanceof String) || !(version instanceof Long) || !(updatedAt instanceof Long)) {
            throw new IllegalArgumentException("Not an instance state: " + json);
        }
        return new InstanceState(ConnectionState.fromWireName((String) state), (Long) version, (Long) updatedAt);
    }

    /** @return the next transition: {@code version + 1}, stamped now */
    public InstanceState next(ConnectionState newState) {
        return new InstanceState(newState, version + 1, System.currentTimeMillis());
    }
}
