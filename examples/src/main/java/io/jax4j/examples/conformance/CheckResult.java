package io.jax4j.examples.conformance;

/**
 * One line of the report: {@code STATUS file:case:field detail}, e.g.
 * {@code FAIL ops_x.json:tanh:vjp[0] max_abs_err=3e-4 atol=1e-6 rtol=1e-5}.
 */
public record CheckResult(Status status, String file, String caseName, String field, String detail) {
    public String line() {
        String where = file + ":" + caseName + (field == null || field.isEmpty() ? "" : ":" + field);
        return status + " " + where + (detail == null || detail.isEmpty() ? "" : " " + detail);
    }
}
