package io.stateguard.gateway;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.util.Optional;

/**
 * The gateway's Redis data: one state key and one auth hash per instance (see {@link GatewayKeys}). Reads go
 * wherever the connection's {@code ReadFrom} sends them, exactly like the cache layer of the real gateway:
 * that is the behaviour StateGuard corrects from the outside.
 */
public final class StateStore {

    private final RedisClusterCommands<String, String> redis;
    private final GatewayKeys keys;

    /**
     * @param redis a connection whose reads follow the application's {@code ReadFrom}
     * @param keys  key naming
     */
    public StateStore(RedisClusterCommands<String, String> redis, GatewayKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * {@code GET <prefix>:state:<name>}.
     *
     * @return the stored state, empty when the key does not exist
     * @throws IllegalStateException if the stored value is not a state JSON
     */
    public Optional<InstanceState> readState(String instanceName) {
        String json = redis.get(keys.stateKey(instanceName));
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InstanceState.fromJson(json));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Corrupt state of " + instanceName + ": " + e.getMessage(), e);
        }
    }

    /** {@code SET <prefix>:state:<name> <json>} on the primary. */
    public void writeState(String instanceName, InstanceState state) {
        redis.set(keys.stateKey(instanceName), state.toJson());
    }

    /** @return {@code HGET <prefix>:instance:<id> creds}; {@code null} when missing */
    public String readCreds(String instanceName) {
        return redis.hget(keys.authKey(instanceName), GatewayKeys.CREDS_FIELD);
    }

    /** {@code HSET <prefix>:instance:<id> creds <json>}, as Baileys' {@code saveCreds} does. */
    public void writeCreds(String instanceName, Creds creds) {
        redis.hset(keys.authKey(instanceName), GatewayKeys.CREDS_FIELD, creds.toJson());
    }

    /** {@code HSET <prefix>:instance:<id> <field> <value>}: a pre-key or session of the Signal protocol store. */
    public void writeSignalKey(String instanceName, String field, String value) {
        redis.hset(keys.authKey(instanceName), field, value);
    }

    /** {@code DEL <prefix>:instance:<id>}: the whole auth state, as a logout removes it. */
    public void deleteAuthState(String instanceName) {
        redis.del(keys.authKey(instanceName));
    }
}
