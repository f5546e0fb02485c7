package dev.executor.policy.rest;

import java.util.List;
import java.util.Map;

/** A request that passed bean validation but breaks a rule checked in code (e.g. a malformed glob). */
class InvalidRequestException extends RuntimeException {

    final List<Map<String, String>> violations;

    InvalidRequestException(List<Map<String, String>> violations) {
        super("The request has " + violations.size() + " invalid field(s).");
        this.violations = List.copyOf(violations);
    }
}
