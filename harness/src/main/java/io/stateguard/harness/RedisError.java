package io.stateguard.harness;

/**
 * An error reply ({@code -ERR ...}, {@code -MOVED ...}, {@code -LOADING ...}) returned by a Redis server.
 *
 * <p>{@link RespClient#call(Object...)} throws it when the top-level reply is an error. Errors nested
 * inside an array reply (for example the results of {@code EXEC}) are not thrown; they are returned as
 * elements of the list so that the other results stay readable.
 */
public final class RedisError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    /**
     * @param message the error line as sent by the server, without the leading {@code -}
     */
    public RedisError(String message) {
        super(message);
        this.code = codeOf(message);
    }

    /**
     * The error prefix by Redis convention: the first word if it is all upper case ({@code ERR},
     * {@code WRONGTYPE}, {@code MOVED}, {@code LOADING}, {@code NOGOODSLAVE}...), otherwise {@code ""}.
     *
     * @return the error code, never {@code null}
     */
    public String code() {
        return code;
    }

    private static String codeOf(String message) {
        int end = message.indexOf(' ');
        String first = end < 0 ? message : message.substring(0, end);
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            if (!(c >= 'A' && c <= 'Z') && c != '_' && c != '-') {
                return "";
            }
        }
        return first;
    }
}
