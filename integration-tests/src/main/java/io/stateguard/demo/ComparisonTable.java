package io.stateguard.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Formats {@link ScenarioResult}s side by side, one column per run. */
public final class ComparisonTable {

    private ComparisonTable() {
    }

    /** @return the table, one row per measure, ending with a line break */
    public static String format(List<ScenarioResult> runs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row(runs, "", ScenarioResult::label));
        rows.add(row(runs, "polls", run -> count(run.report().polls())));
        rows.add(row(runs, "wrong answers (older than already seen)", run -> count(run.report().wrongAnswers())));
        rows.add(row(runs, "QR codes shown for connected instances", run -> count(run.report().qrForConnected())));
        rows.add(row(runs, "QR codes shown (all, incl. real pairings)", run -> count(run.report().qrCodes())));
        rows.add(row(runs, "inconsistencies reported by the agent",
                run -> run.withAgent() ? Integer.toString(run.inconsistencyReports().size()) : "n/a"));
        rows.add(row(runs, "poll latency p50 / p99 (ms)", run -> String.format(Locale.ROOT, "%.1f / %.1f",
                run.report().p50Micros() / 1000.0, run.report().p99Micros() / 1000.0)));
        rows.add(row(runs, "errors", run -> count(run.report().errors())));

        int[] widths = new int[runs.size() + 1];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            table.append(pad(row[0], widths[0], false));
            for (int column = 1; column < row.length; column++) {
                table.append("   ").append(pad(row[column], widths[column], true));
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static String[] row(List<ScenarioResult> runs, String name, Function<ScenarioResult, String> cell) {
        String[] row = new String[runs.size() + 1];
        row[0] = name;
        for (int i = 0; i < runs.size(); i++) {
            row[i + 1] = cell.apply(runs.get(i));
        }
        return row;
    }

    private static String count(long value) {
        return Long.toString(value);
    }

    private static String pad(String text, int width, boolean right) {
        String padding = " ".repeat(width - text.length());
        return right ? padding + text : text + padding;
    }
}
