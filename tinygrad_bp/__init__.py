"""tinygrad_bp"""
