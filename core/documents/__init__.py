"""What Docket hands over: letters and case histories, and the renderer that prints them."""
