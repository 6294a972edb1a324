"""The bundled surveys and their generators: the demo retailer (two waves and a third with
planted changes), the clinic, and the null surveys the playbook is tested on.

Imports only the survey stage below it.
"""
