package io.genesysgateway.genesys;

/**
 * Thrown by route {@code genesys-api-attempt} for an answer another attempt can fix (401, 429, 5xx), so that the
 * call policy of route {@code genesys-api} retries it; the answer itself stays in the message.
 */
public class GenesysCallRefused extends RuntimeException {

    public GenesysCallRefused(String message) {
        super(message);
    }
}
