"""Public simulators: refund (and, with their issues, IJ, C2S, congés)."""
