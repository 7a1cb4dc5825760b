package io.stateguard.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Key names and instance naming of the reference gateway, shared with the poller and the tests so that they
 * address exactly what the gateway writes.
 *
 * <ul>
 *   <li>{@code <prefix>:state:<instanceName>}: a string, the {@link InstanceState} JSON;</li>
 *   <li>{@code <prefix>:instance:<instanceId>}: a hash, the Baileys auth state as Evolution API's
 *       Redis auth store keeps it: field {@code creds} (JSON) plus {@code pre-key-<n>} and
 *       {@code session-<jid>} fields.</li>
 * </ul>
 */
public final class GatewayKeys {

    /** Evolution API's default key prefix ({@code CACHE_REDIS_PREFIX_KEY}). */
    public static final String DEFAULT_PREFIX = "evolution";

    /** The hash field holding the credentials JSON. */
    public static final String CREDS_FIELD = "creds";

    private final String prefix;

    /** @param prefix e.g. {@code evolution} */
    public GatewayKeys(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("The key prefix must not be empty");
        }
    }

    /** @return the key prefix */
    public String prefix() {
        return prefix;
    }

    /** @return {@code <prefix>:state:<instanceName>} */
    public String stateKey(String instanceName) {
        return prefix + ":state:" + instanceName;
    }

    /** @return {@code <prefix>:instance:<instanceId>} of the named instance */
    public String authKey(String instanceName) {
        return prefix + ":instance:" + instanceId(instanceName);
    }

    /** @return the agent arguments that route this gateway's state and auth keys to the primary */
    public String agentArguments() {
        return "keys=" + prefix + ":state:*;version=json:/version;rule.creds.keys=" + prefix + ":instance:*;"
                + "rule.creds.version=none";
    }

    /**
     * Evolution API gives every instance a UUID besides its name; the reference gateway derives it from the
     * name so that restarts and other processes agree on it without a database.
     */
    public static String instanceId(String instanceName) {
        return UUID.nameUUIDFromBytes(("instance:" + instanceName).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** @return the names of the {@code count} instances a gateway runs: {@code instance-1 .. instance-<count>} */
    public static List<String> instanceNames(int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            names.add("instance-" + i);
        }
        return List.copyOf(names);
    }
}
