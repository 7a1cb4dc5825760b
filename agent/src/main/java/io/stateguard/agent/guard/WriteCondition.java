package io.stateguard.agent.guard;

/**
 * When Redis applies a tracked write: always, or only if its key (or hash field) does not exist yet
 * ({@code SET … NX}, {@code SETNX}, {@code MSETNX}, {@code HSETNX}), or only if it exists
 * ({@code SET … XX}). A conditional write sets a mark only when its reply says it was applied.
 */
public enum WriteCondition {

    /** Applied whenever Redis answers without an error. */
    ALWAYS,
    /** {@code NX}: applied only when the key (for {@code HSETNX} the field) did not exist. */
    IF_ABSENT,
    /** {@code XX}: applied only when the key existed. */
    IF_PRESENT
}
