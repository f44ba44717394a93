"""Training-side code: building labelled data, fitting and evaluating models."""
