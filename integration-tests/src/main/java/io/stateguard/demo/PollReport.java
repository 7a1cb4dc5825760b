package io.stateguard.demo;

import java.util.List;

/**
 * The outcome of a polling run.
 *
 * @param polls          requests sent
 * @param wrongAnswers   answers older than a state the poller had already seen (see {@link PollAnswer.Verdict})
 * @param qrCodes        QR code answers, legitimate or not
 * @param qrForConnected QR codes for an instance the poller had already seen open at that version or later
 * @param errors         requests without a usable answer (I/O error, non-200, unreadable body)
 * @param p50Micros      median latency
 * @param p99Micros      99th percentile latency
 * @param elapsedMillis  wall time of the run
 * @param examples       the first few wrong answers and errors, for diagnostics
 */
public record PollReport(long polls, long wrongAnswers, long qrCodes, long qrForConnected, long errors, long p50Micros,
        long p99Micros, long elapsedMillis, List<String> examples) {

    public PollReport {
        examples = List.copyOf(examples);
    }

    /** @return a one-line summary */
    public String summary() {
        return String.format("%d polls in %d ms: %d wrong answers, %d QR codes (%d for connected instances), "
                        + "%d errors, latency p50 %.1f ms, p99 %.1f ms", polls, elapsedMillis, wrongAnswers, qrCodes,
                qrForConnected, errors, p50Micros / 1000.0, p99Micros / 1000.0);
    }
}
