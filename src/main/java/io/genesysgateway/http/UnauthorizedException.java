package io.genesysgateway.http;

/** A refused API call; {@link #status()} is 401 (no key) or 403 (wrong key). */
public class UnauthorizedException extends RuntimeException {

    private final int status;

    public UnauthorizedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
