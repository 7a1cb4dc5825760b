package io.stateguard.gateway;

import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code creds} field of an instance's auth hash, shaped like Baileys' {@code AuthenticationCreds}.
 *
 * <p>Baileys writes credentials as soon as a connection starts ({@code initAuthCreds()}: keys, no account),
 * completes them when the phone scans the QR code ({@code me}, {@code registered: true}) and rewrites them
 * whenever a counter moves ({@code creds.update}). Whether a (re)connect needs a QR code is therefore decided
 * by the creds it reads: missing, or present without {@code me}, means "not paired". Immutable.
 */
public final class Creds {

    private final String noiseKey;
    private final String signedIdentityKey;
    private final String advSecretKey;
    private final int registrationId;
    private final String jid;
    private final long nextPreKeyId;

    private Creds(String noiseKey, String signedIdentityKey, String advSecretKey, int registrationId, String jid,
            long nextPreKeyId) {
        this.noiseKey = noiseKey;
        this.signedIdentityKey = signedIdentityKey;
        this.advSecretKey = advSecretKey;
        this.registrationId = registrationId;
        this.jid = jid;
        this.nextPreKeyId = nextPreKeyId;
    }

    /** @return fresh, unpaired credentials, as {@code initAuthCreds()} creates them */
    public static Creds fresh() {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 16_380);
        return new Creds(randomKey(), randomKey(), randomKey(), registrationId, null, 1);
    }

    /**
     * @param jid the account, e.g. {@code 5511900000001@s.whatsapp.net}
     * @return these credentials once that account's phone scanned the QR code
     */
    public Creds paired(String jid) {
        return new Creds(noiseKey, signedIdentityKey, advSecretKey, registrationId, jid, nextPreKeyId);
    }

    /** @return these credentials after {@code count} more pre-keys were generated */
    public Creds withPreKeysGenerated(int count) {
        return new Creds(noiseKey, signedIdentityKey, advSecretKey, registrationId, jid, nextPreKeyId + count);
    }

    /** @return the next pre-key id */
    public long nextPreKeyId() {
        return nextPreKeyId;
    }

    /** @return whether a phone is linked */
    public boolean isPaired() {
        return jid != null;
    }

    /** @return the JSON stored in the {@code creds} field */
    public String toJson() {
        Map<String, Object> json = Json.object(
                "noiseKey", noiseKey,
                "signedIdentityKey", signedIdentityKey,
                "registrationId", registrationId,
                "advSecretKey", advSecretKey,
                "nextPreKeyId", nextPreKeyId,
                "firstUnuploadedPreKeyId", nextPreKeyId,
                "registered", jid != null);
        if (jid != null) {
            json.put("me", Json.object("id", jid, "name", "StateGuard demo"));
        }
        return Json.write(json);
    }

    /**
     * @param credsJson the {@code creds} field, {@code null} when missing
     * @return whether they belong to a linked device; unreadable creds count as unpaired, as for Baileys
     */
    public static boolean isPaired(String credsJson) {
        if (credsJson == null) {
            return false;
        }
        try {
            return Json.at(Json.parseObject(credsJson), "me", "id") instanceof String;
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
    }

    /** @return 32 random bytes in Base64, the size of a Curve25519 key */
    static String randomKey() {
        byte[] key = new byte[32];
        ThreadLocalRandom.current().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
