"""Okabe-Ito colours: distinguishable with the common colour-vision deficiencies."""

TOLERANCE_READ = "#0072B2"  # blue: the callout prints its own tolerance or fit
GENERAL_TOLERANCE = "#E69F00"  # orange: the general tolerance applies
LOW_CONFIDENCE = "#D55E00"  # vermillion: read with low confidence, check it
ENVELOPE = "#009E73"  # bluish green
PROTOTYPE = "#E69F00"
PRODUCTION = "#0072B2"
CROSSOVER = "#555555"
LOW_CONFIDENCE_BELOW = 0.7
