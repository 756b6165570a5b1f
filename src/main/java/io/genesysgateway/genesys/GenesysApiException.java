package io.genesysgateway.genesys;

/**
 * A Genesys call that did not succeed, with what the Platform error body and headers said. The message never
 * carries a token or the client secret.
 */
public class GenesysApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String correlationId;
    private final long retryAfterSeconds;

    public GenesysApiException(String operation, int status, String code, String message, String correlationId,
            long retryAfterSeconds) {
        super(operation + " failed: HTTP " + status + (code == null ? "" : " " + code)
                + (message == null ? "" : " - " + message)
                + (correlationId == null ? "" : " (ININ-Correlation-ID " + correlationId + ")"));
        this.status = status;
        this.code = code;
        this.correlationId = correlationId;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public GenesysApiException(String operation, String problem, Throwable cause) {
        super(operation + " failed: " + problem, cause);
        this.status = 0;
        this.code = null;
        this.correlationId = null;
        this.retryAfterSeconds = 0;
    }

    /** The same failure, as a subclass says what kind it is. */
    protected GenesysApiException(GenesysApiException failure) {
        super(failure.getMessage());
        this.status = failure.status;
        this.code = failure.code;
        this.correlationId = failure.correlationId;
        this.retryAfterSeconds = failure.retryAfterSeconds;
    }

    /** HTTP status, or 0 when no answer came (connection error, open circuit breaker). */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String correlationId() {
        return correlationId;
    }

    /** Seconds from {@code Retry-After}, 0 when absent. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** True when trying again later can help: no answer, 429 or 5xx. */
    public boolean isTransient() {
        return status == 0 || status == 429 || status >= 500;
    }
}
