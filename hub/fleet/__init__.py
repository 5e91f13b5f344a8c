"""The fleet as technicians manage it: enrolling kiosks, retiring them."""
