package io.genesysgateway.store;

import java.sql.SQLException;

/** The store could not be read or written; the work it was part of did not happen. */
public class StoreException extends RuntimeException {

    public StoreException(SQLException cause) {
        super("store: " + cause.getMessage(), cause);
    }

    public StoreException(String message) {
        super(message);
    }

    /** The write broke a unique key: the row is already there. */
    public boolean isDuplicateKey() {
        return getCause() instanceof SQLException sql && Database.isDuplicateKey(sql);
    }
}
