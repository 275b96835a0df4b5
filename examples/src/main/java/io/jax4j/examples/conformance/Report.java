package io.jax4j.examples.conformance;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Collects the checks of a run, printing each line as it comes, and counts them. */
public final class Report {
    private final List<CheckResult> results = new ArrayList<>();
    private final PrintStream out;

    /** A report that prints each line to {@code out} (null: silent). */
    public Report(PrintStream out) { this.out = out; }

    public void add(CheckResult r) {
        results.add(r);
        if (out != null) out.println(r.line());
    }

    public void pass(String file, String caseName, String field, String detail) { add(new CheckResult(Status.PASS, file, caseName, field, detail)); }

    public void fail(String file, String caseName, String field, String detail) { add(new CheckResult(Status.FAIL, file, caseName, field, detail)); }

    public void skip(String file, String caseName, String field, String reason) { add(new CheckResult(Status.SKIP, file, caseName, field, reason)); }

    public List<CheckResult> results() { return Collections.unmodifiableList(results); }

    public long count(Status s) { return results.stream().filter(r -> r.status() == s).count(); }

    /** The last line: {@code N passed, M failed, K skipped}. */
    public String summary() { return count(Status.PASS) + " passed, " + count(Status.FAIL) + " failed, " + count(Status.SKIP) + " skipped"; }

    public boolean failed() { return count(Status.FAIL) > 0; }
}
