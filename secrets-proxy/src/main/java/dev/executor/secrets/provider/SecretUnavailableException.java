package dev.executor.secrets.provider;

/**
 * A secret could not be read at call time (missing variable or file, no key to decrypt it). The
 * message describes the ref's kind and why, never a value; it stays inside the service (callers see
 * only the slot and the kind).
 */
public class SecretUnavailableException extends RuntimeException {

    public SecretUnavailableException(String message) {
        super(message, null, false, false);
    }
}
