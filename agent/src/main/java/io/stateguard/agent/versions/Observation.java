package io.stateguard.agent.versions;

/** What {@link HighWaterMarks#observe} found when it compared a version with the key's mark. */
public enum Observation {

    /** The key had no mark; the version is now its mark. */
    NEW,

    /** The version was above the mark and raised it. */
    ADVANCED,

    /** The version equals the mark. */
    EQUAL,

    /** The version is below the mark: the reply is older than what was seen before. The mark is unchanged. */
    REGRESSED
}
