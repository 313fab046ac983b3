"""The evaluation harness: text-to-CAD tasks in, scores against reference parts out."""
