package io.stateguard.it.probe.deployed;

import io.stateguard.agent.api.StaleStateException;

import java.util.Map;
import java.util.TreeMap;

/**
 * An application deployed in a class loader of its own with its own Lettuce (as a Spring Boot fat jar
 * or a container deploys it), compiled against the agent jar as a {@code provided} dependency. It
 * names {@link StaleStateException} in a {@code catch} clause of this class, which the JVM verifies
 * when the class is linked: before any Lettuce class is loaded, because every use of Lettuce is in
 * {@link DeployedClient}.
 *
 * <p>{@link #run} returns only strings, so that nothing of its class loader outlives it.
 */
public final class DeployedApp {

    private DeployedApp() {
    }

    /**
     * Reads {@code pinnedKey} (a {@code primary} rule) and {@code stateKey} (a {@code replica-checked}
     * rule with {@code on-regression=fail}) as {@link DeployedClient#read} describes, and says how the
     * stale read failed.
     */
    public static Map<String, String> run(String nodes, String pinnedKey, String stateKey) {
        Map<String, String> results = new TreeMap<>();
        try (DeployedClient client = DeployedClient.connect(nodes)) {
            results.put("pinned", client.readFromReplica(pinnedKey));
            results.put("state.primary", client.readFromPrimary(stateKey));
            try {
                results.put("state.replica", client.readFromReplica(stateKey));
            } catch (StaleStateException e) {
                results.put("state.replica", "caught:" + e.getClass().getName());
                results.put("state.replica.message", e.getMessage());
                results.put("state.replica.beside.lettuce",
                        String.valueOf(e.getClass().getClassLoader() == DeployedClient.redisExceptionLoader()));
                results.put("state.replica.is.redis.exception", String.valueOf(DeployedClient.isRedisException(e)));
            } catch (RuntimeException e) {
                results.put("state.replica", "uncaught:" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        return results;
    }
}
