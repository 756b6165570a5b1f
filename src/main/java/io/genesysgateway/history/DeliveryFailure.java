package io.genesysgateway.history;

import java.io.IOException;

import org.apache.camel.http.base.HttpOperationFailedException;

/** What a failed delivery attempt says about history: its kind (what follows depends on it) and a reason to show. */
final class DeliveryFailure {

    /** History is down or busy: worth retrying. */
    static final String UNAVAILABLE = "unavailable";
    /** History refused this record; a retry would too. */
    static final String REJECTED = "rejected";
    /** Not sent: the circuit breaker is open. */
    static final String BREAKER = "breaker";

    private static final String BREAKER_OPEN = "io.github.resilience4j.circuitbreaker.CallNotPermittedException";

    private DeliveryFailure() {
    }

    /** {@link #UNAVAILABLE} (5xx, 408, 425, 429, no answer), {@link #BREAKER}, or {@link #REJECTED} (anything else). */
    static String kindOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http) {
                int s = http.getStatusCode();
                return s >= 500 || s == 408 || s == 425 || s == 429 ? UNAVAILABLE : REJECTED;
            }
            if (BREAKER_OPEN.equals(t.getClass().getName())) {
                return BREAKER;
            }
            if (t instanceof IOException) {
                return UNAVAILABLE;
            }
        }
        return REJECTED;
    }

    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http) {
                return "history answered HTTP " + http.getStatusCode();
            }
            if (BREAKER_OPEN.equals(t.getClass().getName())) {
                return "not sent: the history circuit breaker is open";
            }
            if (t instanceof IOException) {
                return "history unreachable (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
            }
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }
}
