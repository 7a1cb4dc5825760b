package io.stateguard.agent.keys;

/**
 * Which arguments of a Redis command are keys, by the command's name, for every client adapter: most
 * commands have one key, their first argument (what follows it, such as {@code HGET}'s field, is not a
 * key); the commands listed here take several keys.
 */
public final class KeyArguments {

    private KeyArguments() {
    }

    /**
     * Whether every key argument of the command named {@code name} (upper case, as sent) is a key, not a
     * hash field or member: {@code MGET}, {@code EXISTS}, set algebra, scripts (whose keys the client
     * knows apart from their arguments) and the like.
     */
    public static boolean allKeys(String name) {
        switch (name) {
            case "MGET":
            case "EXISTS":
            case "TOUCH":
            case "SINTER":
            case "SUNION":
            case "SDIFF":
            case "SINTERCARD":
            case "PFCOUNT":
            case "ZDIFF":
            case "ZINTER":
            case "ZUNION":
            case "ZINTERCARD":
            case "LCS":
            case "EVAL":
            case "EVALSHA":
            case "EVAL_RO":
            case "EVALSHA_RO":
            case "FCALL":
            case "FCALL_RO":
                return true;
            default:
                return false;
        }
    }
}
